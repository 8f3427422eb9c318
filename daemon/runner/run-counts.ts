import {UNFINISHED_RUN_STATUSES, type RunStatus, type UnfinishedRunStatus} from '../../src/protocol/index.js';

export type StatusCounts = Record<UnfinishedRunStatus, number>;

function zero(): StatusCounts {
  return {scheduled: 0, queued: 0, running: 0, sleeping: 0, waiting: 0};
}

function isCounted(status: RunStatus | null): status is UnfinishedRunStatus {
  return status !== null && (UNFINISHED_RUN_STATUSES as readonly string[]).includes(status);
}

/** Runs that are not final, by status, per task and in all: kept as statuses change, so reading them is O(1). */
export class RunCounts {
  readonly total: StatusCounts = zero();
  readonly #byTask = new Map<string, StatusCounts>();

  /** A run of `taskKey` went from `from` (null: not counted yet) to `to`. */
  move(taskKey: string, from: RunStatus | null, to: RunStatus): void {
    if (from === to) return;
    this.#add(taskKey, from, -1);
    this.#add(taskKey, to, 1);
  }

  of(taskKey: string): StatusCounts {
    const counts = this.#byTask.get(taskKey);
    return counts ? {...counts} : zero();
  }

  /** Runs not final and not running, in all: what `maxQueued` bounds. */
  get pending(): number {
    const {scheduled, queued, sleeping, waiting} = this.total;
    return scheduled + queued + sleeping + waiting;
  }

  #add(taskKey: string, status: RunStatus | null, delta: number): void {
    if (!isCounted(status)) return;
    this.total[status] += delta;
    const counts = this.#byTask.get(taskKey) ?? zero();
    counts[status] += delta;
    if (UNFINISHED_RUN_STATUSES.every((counted) => counts[counted] === 0)) this.#byTask.delete(taskKey);
    else this.#byTask.set(taskKey, counts);
  }
}
