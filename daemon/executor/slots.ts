/**
 * A counting semaphore with FIFO waiters: the daemon-wide cap on attempts running at once.
 * Waiters are bounded by the runner, which only calls the executor for runs it dequeued.
 */
export class Slots {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots: expected a positive integer, got ${size}`);
  }

  get inUse(): number {
    return this.used;
  }

  /** A release function if a slot is free now, else null. */
  tryAcquire(): (() => void) | null {
    if (this.used >= this.size) return null;
    this.used++;
    return this.releaser();
  }

  /** Resolves with a release function once a slot is free; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const release = this.tryAcquire();
    if (release !== null) return Promise.resolve(release);
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.used++;
        resolve(this.releaser());
      };
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(grant), 1);
        reject(signal?.reason);
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, {once: true});
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      this.waiters.shift()?.();
    };
  }
}
