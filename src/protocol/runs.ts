/** Lifecycle of a run: queued → running → (succeeded | failed | cancelled); a retry goes running → queued. */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export type RunErrorType = 'error' | 'timeout' | 'out_of_memory' | 'compute_exhausted' | 'cancelled' | 'interrupted' | 'crashed';

export interface RunError {
  type: RunErrorType;
  message: string;
  stack: string | null;
}

export interface RunAttempt {
  /** 1 for the first attempt. */
  n: number;
  startedAt: string;
  finishedAt: string | null;
  error: RunError | null;
}

/** One execution of a task, as persisted and as every client sees it (JSON, camelCase). */
export interface RunRecord {
  id: string;
  namespace: string;
  task: string;
  status: RunStatus;
  input: unknown;
  result: unknown;
  error: RunError | null;
  attempts: RunAttempt[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  cpuMs: number | null;
  peakMemoryMb: number | null;
  parentId: string | null;
}

export type LogLevel = 'log' | 'info' | 'warn' | 'error';

export interface RunLogLine {
  runId: string;
  /**
   * The line's place in the run's log: 1 for its first line, one more for each next one, across
   * attempts and daemon restarts. A follower drops a line whose seq it already has (see `run.logs`).
   */
  seq: number;
  attempt: number;
  time: string;
  level: LogLevel;
  message: string;
}

export interface RunProgress {
  runId: string;
  current: number;
  total: number | null;
  message: string | null;
}
