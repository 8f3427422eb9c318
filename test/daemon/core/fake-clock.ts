import type {Clock} from '../../../daemon/core/clock.js';

interface Timer {
  dueElapsedMs: number;
  callback: () => void;
}

/**
 * A Clock for tests: time moves only when told. `advance` moves elapsed and wall time together
 * and runs due timers in order, each seeing `now()` at its own due time; `jump` moves the wall
 * clock alone, as a suspend or an NTP step does, leaving timers where they were.
 */
export class FakeClock implements Clock {
  #wallMs: number;
  #elapsedMs = 0;
  // A Set iterates in insertion order, so timers due at the same time run in the order they were set.
  readonly #timers = new Set<Timer>();

  constructor(startWallMs = Date.parse('2025-01-01T00:00:00.000Z')) {
    this.#wallMs = startWallMs;
  }

  now(): number {
    return this.#wallMs;
  }

  schedule(ms: number, callback: () => void): () => void {
    const timer: Timer = {dueElapsedMs: this.#elapsedMs + Math.max(0, ms), callback};
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  /** Timers set and neither fired nor cancelled; a closed owner leaves none. */
  get pending(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const targetElapsedMs = this.#elapsedMs + ms;
    for (let timer = this.#earliestDue(targetElapsedMs); timer; timer = this.#earliestDue(targetElapsedMs)) {
      this.#wallMs += timer.dueElapsedMs - this.#elapsedMs;
      this.#elapsedMs = timer.dueElapsedMs;
      this.#timers.delete(timer);
      timer.callback();
    }
    this.#wallMs += targetElapsedMs - this.#elapsedMs;
    this.#elapsedMs = targetElapsedMs;
  }

  /** Moves the wall clock only; negative steps it back. */
  jump(ms: number): void {
    this.#wallMs += ms;
  }

  #earliestDue(limitElapsedMs: number): Timer | undefined {
    let earliest: Timer | undefined;
    for (const timer of this.#timers) {
      if (timer.dueElapsedMs <= limitElapsedMs && (!earliest || timer.dueElapsedMs < earliest.dueElapsedMs)) earliest = timer;
    }
    return earliest;
  }
}
