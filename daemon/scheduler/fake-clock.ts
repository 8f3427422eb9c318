import type {Clock, TimerHandle} from './clock.js';

interface FakeTimer extends TimerHandle {
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
  #nextId = 1;
  readonly #timers = new Map<number, FakeTimer>();

  constructor(startWallMs: number) {
    this.#wallMs = startWallMs;
  }

  now(): number {
    return this.#wallMs;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer: FakeTimer = {id: this.#nextId++, dueElapsedMs: this.#elapsedMs + Math.max(0, delayMs), callback};
    this.#timers.set(timer.id, timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }

  /** Timers set and neither fired nor cleared; a closed owner leaves none. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const targetElapsedMs = this.#elapsedMs + ms;
    for (let timer = this.#earliestDue(targetElapsedMs); timer; timer = this.#earliestDue(targetElapsedMs)) {
      this.#wallMs += timer.dueElapsedMs - this.#elapsedMs;
      this.#elapsedMs = timer.dueElapsedMs;
      this.#timers.delete(timer.id);
      timer.callback();
    }
    this.#wallMs += targetElapsedMs - this.#elapsedMs;
    this.#elapsedMs = targetElapsedMs;
  }

  /** Moves the wall clock only; negative steps it back. */
  jump(ms: number): void {
    this.#wallMs += ms;
  }

  #earliestDue(limitElapsedMs: number): FakeTimer | undefined {
    let earliest: FakeTimer | undefined;
    for (const timer of this.#timers.values()) {
      // Map order is insertion order, so equal due times run in the order they were set.
      if (timer.dueElapsedMs <= limitElapsedMs && (!earliest || timer.dueElapsedMs < earliest.dueElapsedMs)) earliest = timer;
    }
    return earliest;
  }
}
