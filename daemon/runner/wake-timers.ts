import type {Clock} from '../core/clock.js';

/**
 * One timer per run that moves on by itself at a wall-clock time: a delayed run's start, a
 * sleep's end, a wait's timeout. Timers run on elapsed time and the wall clock can jump (a
 * suspended laptop, an NTP step), so a timer that fires early is set again for what is left.
 */
export class WakeTimers {
  readonly #clock: Clock;
  readonly #timers = new Map<string, () => void>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#timers.size;
  }

  /** Calls `wake(runId)` at `at` (ms since the epoch; at once if past), replacing the run's earlier timer. */
  set(runId: string, at: number, wake: (runId: string) => void): void {
    this.clear(runId);
    const arm = (): void => {
      const cancel = this.#clock.schedule(Math.max(0, at - this.#clock.now()), () => {
        if (this.#clock.now() < at) return arm();
        this.#timers.delete(runId);
        wake(runId);
      });
      this.#timers.set(runId, cancel);
    };
    arm();
  }

  clear(runId: string): void {
    this.#timers.get(runId)?.();
    this.#timers.delete(runId);
  }

  clearAll(): void {
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
  }
}
