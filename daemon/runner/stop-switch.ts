/**
 * The part of AbortSignal the executor and tinypool use to stop one attempt. A real AbortSignal
 * fits it (tests pass one); the daemon passes StopSwitch instead.
 */
export interface StopSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: {once?: boolean}): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A one-shot stop for one attempt: AbortController's behaviour for the calls above, without its
 * EventTarget. Every attempt makes two (the runner's cancel and tinypool's terminate), and two
 * AbortControllers with their listener bookkeeping were a tenth of the daemon's main-thread CPU
 * per run in a burst of short ones. Listeners run once, in the order added; one added after the
 * stop is never called, as with AbortSignal.
 */
export class StopSwitch implements StopSignal {
  #aborted = false;
  #listeners: Array<() => void> = [];

  get aborted(): boolean {
    return this.#aborted;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.#aborted && !this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.#listeners.indexOf(listener);
    if (index !== -1) this.#listeners.splice(index, 1);
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }
}
