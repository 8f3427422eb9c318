import type {RunStatus} from '../../src/protocol/index.js';

export interface StatusCounts {
  running: number;
  queued: number;
}

/** Queued and running runs, per task and in all: kept as statuses change, so reading them is O(1). */
export class RunCounts {
  readonly total: StatusCounts = {running: 0, queued: 0};
  readonly #byTask = new Map<string, StatusCounts>();

  /** A run of `taskKey` went from `from` (null: not counted yet) to `to`. */
  move(taskKey: string, from: RunStatus | null, to: RunStatus): void {
    if (from === to) return;
    this.#add(taskKey, from, -1);
    this.#add(taskKey, to, 1);
  }

  of(taskKey: string): StatusCounts {
    const counts = this.#byTask.get(taskKey);
    return counts ? {...counts} : {running: 0, queued: 0};
  }

  #add(taskKey: string, status: RunStatus | null, delta: number): void {
    if (status !== 'running' && status !== 'queued') return;
    this.total[status] += delta;
    const counts = this.#byTask.get(taskKey) ?? {running: 0, queued: 0};
    counts[status] += delta;
    if (counts.running === 0 && counts.queued === 0) this.#byTask.delete(taskKey);
    else this.#byTask.set(taskKey, counts);
  }
}
