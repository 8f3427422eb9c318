import type {StopSignal} from '../runner/executor-api.js';

export class StoppedWaiting extends Error {
  override name = 'StoppedWaiting';

  constructor() {
    super('stopped while waiting for a slot');
  }
}

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

  /** Resolves with a release function once a slot is free; rejects with a StoppedWaiting error if one of `signals` aborts first. */
  acquire(signals: readonly StopSignal[] = []): Promise<() => void> {
    if (signals.some((signal) => signal.aborted)) return Promise.reject(new StoppedWaiting());
    const release = this.tryAcquire();
    if (release !== null) return Promise.resolve(release);
    return new Promise((resolve, reject) => {
      const forget = () => {
        for (const signal of signals) signal.removeEventListener('abort', onAbort);
      };
      const grant = () => {
        forget();
        this.used++;
        resolve(this.releaser());
      };
      const onAbort = () => {
        forget();
        const index = this.waiters.indexOf(grant);
        // Granted already (a listener run before this one freed a slot): nothing to give up.
        if (index === -1) return;
        this.waiters.splice(index, 1);
        reject(new StoppedWaiting());
      };
      this.waiters.push(grant);
      for (const signal of signals) signal.addEventListener('abort', onAbort);
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
