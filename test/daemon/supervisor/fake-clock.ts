import type {Clock} from '../../../daemon/supervisor/clock.js';

/** A clock that only moves when told to, firing what came due. */
export class FakeClock implements Clock {
  private time = 0;
  private timers: Array<{at: number; callback: () => void}> = [];

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, callback: () => void): () => void {
    const timer = {at: this.time + delayMs, callback};
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((entry) => entry !== timer);
    };
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = next.at;
      next.callback();
    }
    this.time = until;
  }

  get pending(): number {
    return this.timers.length;
  }
}
