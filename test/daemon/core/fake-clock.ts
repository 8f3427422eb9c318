import type {Clock} from '../../../daemon/core/clock.js';

interface Timer {
  at: number;
  order: number;
  callback: () => void;
}

/** A clock that moves only when told, firing due timers in order. */
export class FakeClock implements Clock {
  #now: number;
  #order = 0;
  readonly #timers = new Set<Timer>();

  constructor(start = Date.parse('2025-01-01T00:00:00.000Z')) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(ms: number, callback: () => void): () => void {
    const timer = {at: this.#now + ms, order: this.#order++, callback};
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  /** Timers not yet fired nor cancelled. */
  get pending(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = [...this.#timers].filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      this.#timers.delete(due);
      this.#now = due.at;
      due.callback();
    }
    this.#now = target;
  }
}
