/**
 * Time as the runner and the supervisor see it. Injected everywhere so policies and tests never
 * depend on the wall clock or on real timers. (The scheduler has its own: it must tell wall-clock
 * jumps from elapsed time.)
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `ms`; the returned function cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};
