/** A run submitted from inside a task with `ctx.submit`. */
export interface ChildRun {
  /** The child run's id (`run_…`). */
  readonly id: string;
  /** Resolves with the child's result once it succeeds; rejects with its error if it fails. */
  result(): Promise<unknown>;
}

/** The second argument of a task function. */
export interface TaskContext {
  /** The run this attempt belongs to. */
  readonly runId: string;
  /** 1 on the first attempt, 2 on the first retry, ... */
  readonly attempt: number;
  /** Aborted when the run is cancelled or the attempt times out; the worker is terminated shortly after. */
  readonly signal: AbortSignal;
  /** Writes a line to the run's log; arguments are formatted like console.log. */
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  /** Reports progress, e.g. `progress(3, 10, "pages")`. */
  progress(current: number, total?: number, message?: string): void;
  /** Submits a run of another task of this project (with its own limits); await `result()` for its result. */
  submit(taskName: string, input?: unknown): Promise<ChildRun>;
}
