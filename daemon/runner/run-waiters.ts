import type {RunRecord} from '../../src/protocol/index.js';

interface Waiter {
  resolve(run: RunRecord): void;
  reject(error: unknown): void;
}

/** Promises of runs' final records, kept until the run ends or the runner stops. */
export class RunWaiters {
  readonly #waiters = new Map<string, Waiter[]>();

  wait(runId: string): Promise<RunRecord> {
    return new Promise((resolve, reject) => {
      const list = this.#waiters.get(runId);
      if (list) list.push({resolve, reject});
      else this.#waiters.set(runId, [{resolve, reject}]);
    });
  }

  settle(run: RunRecord): void {
    const list = this.#waiters.get(run.id);
    this.#waiters.delete(run.id);
    for (const waiter of list ?? []) waiter.resolve(run);
  }

  reject(runId: string, error: unknown): void {
    const list = this.#waiters.get(runId);
    this.#waiters.delete(runId);
    for (const waiter of list ?? []) waiter.reject(error);
  }

  /** Rejects every pending wait, with the error `reason` gives for its run. */
  rejectAll(reason: (runId: string) => unknown): void {
    for (const [runId, list] of this.#waiters) {
      for (const waiter of list) waiter.reject(reason(runId));
    }
    this.#waiters.clear();
  }
}
