import type {RunLogLine, RunRecord, RunStatus} from './runs.js';

export type Isolation = 'thread' | 'process';

/** A task as `capsule list` and the dashboard show it: its limits and its live counts. */
export interface TaskSummary {
  name: string;
  /** Module that declares it, relative to the project root. */
  module: string;
  isolation: Isolation;
  ramBytes: number;
  timeoutMs: number;
  computeMs: number;
  maxRetries: number;
  concurrency: number | null;
  lock: string | null;
  running: number;
  queued: number;
  lastRun: {id: string; status: RunStatus; finishedAt: string | null; createdAt: string} | null;
}

/** `ns/task`, or a file for an ad-hoc run of the task it declares. */
export type RunTarget = {namespace: string; task: string} | {file: string; task?: string};

export interface RunListParams {
  namespace?: string;
  task?: string;
  status?: RunStatus;
  /** Newest first; default 20, at most 1000. */
  limit?: number;
}

export interface TaskMethods {
  /** `follow`: the connection receives the run's events (topic `run:<id>`) from its very first one. */
  'run.submit': {params: {target: RunTarget; input: unknown; follow?: boolean}; result: RunRecord};
  'run.get': {params: {id: string}; result: RunRecord};
  /** Resolves when the run reaches a final state. */
  'run.wait': {params: {id: string}; result: RunRecord};
  'run.list': {params: RunListParams; result: {runs: RunRecord[]}};
  'run.cancel': {params: {id: string}; result: RunRecord};
  /** A new run of the same task with the same input. */
  'run.rerun': {params: {id: string}; result: RunRecord};
  /**
   * The last `tail` log lines of a run, or of a task's latest run.
   *
   * `follow`: also subscribes the connection to the run's events (topic `run:<id>`), *before* the
   * tail is read, so no line falls between the two; the price is an overlap. So on this
   * connection `run.log` events of the run may arrive before this reply, and some of them (and of
   * those after it) repeat lines of the tail. A follower buffers the run's events until the reply,
   * shows the tail, then shows only the lines whose `seq` is above the tail's last (all of them
   * when the tail is empty): every line once, in order. `followLog` in src/client does this.
   */
  'run.logs': {params: {id?: string; namespace?: string; task?: string; tail?: number; follow?: boolean}; result: {runId: string | null; lines: RunLogLine[]}};
}

/**
 * Topic `run` carries every run's events; topic `run:<id>` only that run's (subscribe to
 * that to follow one run without receiving the rest).
 */
export interface TaskEvents {
  'run.updated': RunRecord;
  'run.log': RunLogLine;
  'run.progress': import('./runs.js').RunProgress;
}
