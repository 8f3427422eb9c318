import type {RunLogLine, RunProgress, RunRecord, RunStatus, StepRecord} from '../../src/protocol/index.js';
import type {Clock} from '../core/clock.js';
import type {Executor} from './executor-api.js';
import type {StatusCounts} from './run-counts.js';
import type {RunStore} from './run-store.js';

/** Runs waiting (scheduled, queued, in backoff, behind a lock, sleeping or waiting) beyond which submits are refused. */
export const MAX_QUEUED_RUNS = 100_000;
/** Runs `list` returns to an in-process caller that gives no limit (`run.list` has its own default); at most MAX_RUN_LIST. */
export const DEFAULT_LIST_LIMIT = 50;
/** How long `close` lets running attempts finish before interrupting them. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/**
 * Lock keys held across the nodes sharing a backend (daemon/cluster/shared-locks.ts): a run
 * first in its key's line on its own node also takes the key cluster-wide before it starts.
 * Absent: this daemon alone, its own lines are the whole story.
 */
export interface SharedLocks {
  /** Takes `key` for the run, now or once no other node holds it, and then calls `granted`; returns what stops waiting. */
  take(key: string, runId: string, granted: () => void): () => void;
  /** Gives the key back (the run ended). */
  release(key: string, runId: string): void;
  /** Which run holds `key` on another node, as "run_… on node-b", if one does. */
  heldElsewhere(key: string): Promise<string | undefined>;
}

export interface RunnerOptions {
  executor: Executor;
  store: RunStore;
  clock: Clock;
  /** Runs attempting at once, daemon-wide. @default os.availableParallelism() */
  maxParallel?: number;
  /** Randomness for backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /** @default MAX_QUEUED_RUNS */
  maxQueued?: number;
  /** An error with no caller to receive it: a failed background write, a throwing listener. @default console.error */
  onError?: (error: unknown) => void;
  /** With a backend: lock keys hold across its nodes. */
  sharedLocks?: SharedLocks;
}

export interface SubmitOptions {
  /** The run that submitted this one through `ctx.submit`. */
  parentId?: string;
  /** The new run's id, when the caller must be able to find it again (a schedule's fire); one already taken is refused. */
  id?: string;
  /**
   * Called with the new run's id before any of its events are emitted, so a caller can
   * subscribe to them without a gap (the daemon's `run.submit` with `follow`).
   */
  onAccepted?(runId: string): void;
  /** Queued this long after the submit: `scheduled` until then. Not with `runAt`. */
  delayMs?: number;
  /** Queued at this time (ms since the epoch): `scheduled` until then; at once if past. Not with `delayMs`. */
  runAt?: number;
  /**
   * While a run of the same task submitted with this key is kept and its key lives, `submit`
   * resolves with that run (whatever its status) instead of making one.
   */
  idempotencyKey?: string;
  /** How long the key lives after this submit. @default DEFAULT_IDEMPOTENCY_TTL_MS (24 h) */
  idempotencyTtlMs?: number;
  /** Higher runs start first; FIFO among equals. @default 0 */
  priority?: number;
}

export interface RunFilter {
  namespace?: string;
  task?: string;
  status?: RunStatus;
  /** @default DEFAULT_LIST_LIMIT (at most MAX_RUN_LIST) */
  limit?: number;
}

/** What `capsule list --tree` shows beside a task: its runs that are not final, by status, and its last one. */
export interface TaskStats extends StatusCounts {
  /** The task's most recently finished run. */
  lastRun: {id: string; status: RunStatus; createdAt: string; finishedAt: string} | null;
}

export interface RecoverySummary {
  /** Runs tracked again: left scheduled or queued, or left running with retries remaining. */
  requeued: number;
  /** Runs left sleeping or waiting: they wait on (or go on, if their time passed meanwhile). */
  suspended: number;
  /** Runs left running with no retry remaining. */
  failed: number;
  /** Runs whose task no longer exists or whose lock key cannot be computed any more. */
  cancelled: number;
  /** Processes the interrupted attempts left running (their workers, what the tasks started), ended before any run was tried again. */
  processesEnded: number;
}

export type RunnerEvent = {type: 'run'; run: RunRecord} | {type: 'log'; line: RunLogLine} | {type: 'progress'; progress: RunProgress} | {type: 'step'; step: StepRecord};

export type RunnerListener = (event: RunnerEvent) => void;
