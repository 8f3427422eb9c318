/**
 * The seam between the run orchestration (queue, retries, locks, persistence: daemon/runner)
 * and the execution of one attempt in a worker (pools, limits, module loading: the executor).
 */
import type {AttemptWorker, EgressRequest, Isolation, LogLevel, RunErrorType} from '../../src/protocol/index.js';
import type {SandboxPolicy} from '../../src/config/sandbox-policy.js';
import type {AttemptLimits} from '../../src/config/task-limits.js';
import type {StopSignal} from './stop-switch.js';
import type {DurableOp, DurableReply, MemoStep} from '../worker/protocol.js';

export type {DurableOp, DurableReply, MemoStep} from '../worker/protocol.js';

export type {StopSignal} from './stop-switch.js';
export type {AttemptLimits} from '../../src/config/task-limits.js';

export type {Isolation} from '../../src/protocol/index.js';

/** Where a task lives and how to call it. */
export interface TaskLocation {
  /** Absolute path of the module that exports the task. */
  modulePath: string;
  /** The export holding the `task()` value. */
  exportName: string;
}

export interface AttemptRequest extends TaskLocation {
  runId: string;
  namespace: string;
  task: string;
  attempt: number;
  input: unknown;
  isolation: Isolation;
  limits: AttemptLimits;
  /** What the sandbox lets the attempt reach: non-null exactly when `isolation` is "sandbox". */
  sandbox: SandboxPolicy | null;
  /** The whole environment the task sees: declared variables plus a minimal base. */
  env: Record<string, string>;
  /** Project root: the attempt's working directory. */
  cwd: string;
  /** The run's steps as earlier attempts left them, for this one to replay. */
  memo: MemoStep[];
}

export interface AttemptHooks {
  log(level: LogLevel, message: string): void;
  progress(current: number, total: number | null, message: string | null): void;
  /** `ctx.submit(task, input)` from inside a task: returns the child run's id. */
  submitChild(task: string, input: unknown): Promise<string>;
  /** Awaits a child run's final result; rejects with its error if it failed. */
  awaitChild(runId: string): Promise<unknown>;
  /** Process isolation: the worker process that took the attempt, to be kept with it (should this daemon die, the next one ends it). */
  worker(worker: AttemptWorker): void;
  /** Sandbox isolation: an HTTP request through the egress proxy ended (or was denied); kept with the attempt, the first MAX_ATTEMPT_REQUESTS of them. */
  request(entry: EgressRequest): void;
  /** A durable step, sleep, wait or prompt: recorded (on disk) before the reply. */
  durable(op: DurableOp): Promise<DurableReply>;
}

/** An attempt an earlier daemon left running: what it may have left behind. */
export interface OrphanedAttempt {
  runId: string;
  attempt: number;
  /** Its worker process, if it had one and it was recorded. */
  worker: AttemptWorker | null;
}

export type AttemptOutcome =
  | {ok: true; result: unknown; cpuMs: number | null; peakMemoryMb: number | null}
  /** The attempt stopped at a durable sleep, wait or prompt it recorded: not a failure, the run goes on later. */
  | {ok: 'suspended'; cpuMs: number | null; peakMemoryMb: number | null}
  | {
      ok: false;
      error: {type: RunErrorType; message: string; stack: string | null};
      /** A `FatalError` from the task: never retried. */
      fatal: boolean;
      cpuMs: number | null;
      peakMemoryMb: number | null;
    };

export interface Executor {
  /** Runs one attempt to its end. `signal` aborts it (cancel): the outcome is then type `cancelled`. Never rejects. */
  execute(request: AttemptRequest, hooks: AttemptHooks, signal: StopSignal): Promise<AttemptOutcome>;
  /**
   * Ends what attempts of an earlier daemon left running, and resolves once it is gone: each
   * worker that is still the same process (pid and start time), with its process group, and
   * every process carrying one of the attempts' markers. `left` counts what would not die.
   */
  endOrphans(orphans: OrphanedAttempt[]): Promise<{ended: number; left: number}>;
  /** Stops every pool and worker it owns. */
  close(): Promise<void>;
  /** Hears which projects' tasks are loaded: an executor shared by several nodes takes the attempts of those only. */
  tasksChanged?(namespace: string, loaded: boolean): void;
}

/** What loading a project's entry modules finds. */
export interface DiscoveredTask extends TaskLocation {
  name: string;
  /** The options given to `task()`, as declared (validated by the runner). */
  options: Record<string, unknown>;
}
