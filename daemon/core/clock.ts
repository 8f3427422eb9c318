/**
 * Time as the daemon sees it, injected everywhere so policies and tests never depend on the
 * wall clock or on real timers. `now()` is the wall clock, which can jump (suspend, NTP step);
 * timers run on elapsed time, as setTimeout does. The scheduler compares the two when a timer
 * fires to tell a jump from time that passed, so a test clock must be able to move either one.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `ms` of elapsed time; the returned function cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

/** Node clamps a longer setTimeout delay to 1 ms (with a warning); longer waits are chained. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class SystemClock implements Clock {
  readonly #maxChunkMs: number;

  /** @param maxChunkMs the longest single setTimeout; only tests lower it. */
  constructor(maxChunkMs = MAX_TIMEOUT_MS) {
    this.#maxChunkMs = maxChunkMs;
  }

  now(): number {
    return Date.now();
  }

  schedule(ms: number, callback: () => void): () => void {
    if (ms <= this.#maxChunkMs) {
      const timeout = setTimeout(callback, ms);
      return () => clearTimeout(timeout);
    }
    let timeout: NodeJS.Timeout;
    // Each chunk is measured on its own, so the whole wait is counted in elapsed time.
    const wait = (remainingMs: number): void => {
      const chunk = Math.min(remainingMs, this.#maxChunkMs);
      timeout = setTimeout(() => {
        if (remainingMs > chunk) wait(remainingMs - chunk);
        else callback();
      }, chunk);
    };
    wait(ms);
    return () => clearTimeout(timeout);
  }
}

export const systemClock: Clock = new SystemClock();
