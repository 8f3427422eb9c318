/**
 * The scheduler's view of time. `now()` is the wall clock (it can jump: suspend, NTP step);
 * timers run on elapsed time, as setTimeout does. The scheduler compares the two when a
 * timer fires, so tests can move either one with a FakeClock.
 */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Opaque to callers; each clock knows what it put inside. */
export interface TimerHandle {
  readonly id: number;
}

/** Node clamps a longer setTimeout delay to 1 ms (with a warning); longer waits are chained. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface RealTimer extends TimerHandle {
  timeout: NodeJS.Timeout | undefined;
}

export class RealClock implements Clock {
  readonly #maxChunkMs: number;
  #nextId = 1;

  /** @param maxChunkMs the longest single setTimeout; only tests lower it. */
  constructor(maxChunkMs = MAX_TIMEOUT_MS) {
    this.#maxChunkMs = maxChunkMs;
  }

  now(): number {
    return Date.now();
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer: RealTimer = {id: this.#nextId++, timeout: undefined};
    // Each chunk is measured on its own, so the whole wait is counted in elapsed time.
    const wait = (remainingMs: number): void => {
      const chunk = Math.min(Math.max(0, remainingMs), this.#maxChunkMs);
      timer.timeout = setTimeout(() => {
        if (remainingMs > chunk) wait(remainingMs - chunk);
        else callback();
      }, chunk);
    };
    wait(delayMs);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout((handle as RealTimer).timeout);
  }
}
