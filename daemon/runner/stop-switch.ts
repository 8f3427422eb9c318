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
 * A one-shot stop for one attempt, without AbortController's EventTarget. Every attempt makes two
 * (the runner's cancel and tinypool's terminate), and two AbortControllers with their listener
 * bookkeeping were a tenth of the daemon's main-thread CPU per run in a burst of short ones.
 * As with AbortSignal: listeners run once, in the order added; one removed while the stop runs
 * is not called; one added after the stop never is; a listener that throws does not keep the
 * others from running, and its error is reported as uncaught (the daemon logs those).
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
    // Taken one at a time, so a listener can still remove a later one.
    for (let listener = this.#listeners.shift(); listener !== undefined; listener = this.#listeners.shift()) {
      try {
        listener();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
