/**
 * The protocol's closed sets of words, as plain lists: the zod schemas are built from them, and
 * the CLI (which must not load zod to start fast) reads them as they are.
 */

/**
 * Lifecycle of a run: (scheduled →) queued → running → (succeeded | failed | cancelled). A retry
 * goes running → queued; a durable sleep goes running → sleeping → queued, a wait for a signal or
 * an answer running → waiting → queued. Sleeping and waiting runs hold no worker.
 */
export const RUN_STATUSES = ['scheduled', 'queued', 'running', 'sleeping', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const FINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** The statuses of a run that is not final: what the live counts of a task count. */
export const UNFINISHED_RUN_STATUSES = ['scheduled', 'queued', 'running', 'sleeping', 'waiting'] as const;
export type UnfinishedRunStatus = (typeof UNFINISHED_RUN_STATUSES)[number];

/** A run in a final state never changes again. */
export function isFinalRunStatus(status: RunStatus): boolean {
  return FINAL_RUN_STATUSES.has(status);
}

/**
 * `nondeterminism`: an attempt called its steps otherwise than the recorded ones (the task changed between attempts); never retried.
 * `sandbox_denied`: a sandboxed task tried what its declaration does not allow (the message names the path, host or operation).
 * `sandbox_unavailable`: the sandbox cannot be made on this machine (no bubblewrap, user namespaces off); the task never runs unconfined instead.
 */
export const RUN_ERROR_TYPES = ['error', 'timeout', 'out_of_memory', 'compute_exhausted', 'cancelled', 'interrupted', 'crashed', 'nondeterminism', 'sandbox_denied', 'sandbox_unavailable'] as const;
export type RunErrorType = (typeof RUN_ERROR_TYPES)[number];

/** What a durable step of a run is: `ctx.step`, `ctx.sleep`/`sleepUntil`, `ctx.waitFor` or `ctx.prompt`. */
export const STEP_KINDS = ['step', 'sleep', 'wait', 'prompt'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** `waiting`: a sleep, wait or prompt the run is suspended on. */
export const STEP_STATUSES = ['succeeded', 'failed', 'waiting'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const LOG_LEVELS = ['log', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where a task's attempts run: a worker thread of the daemon, a child process, or a fresh process in a bubblewrap sandbox that sees only what the task declares. */
export const ISOLATIONS = ['thread', 'process', 'sandbox'] as const;
export type Isolation = (typeof ISOLATIONS)[number];

export const SERVICE_STATES = ['starting', 'running', 'healthy', 'unhealthy', 'lost', 'backoff', 'stopping', 'stopped', 'exited', 'failed'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

export const HEALTH_STATUSES = ['unknown', 'healthy', 'unhealthy'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** `capsule`: the supervisor's own notes in a service's log (started, exited, restarting). */
export const LOG_STREAMS = ['stdout', 'stderr', 'capsule'] as const;
export type LogStream = (typeof LOG_STREAMS)[number];

export const CONFIG_VALUE_TYPES = ['string', 'number', 'integer', 'boolean'] as const;
export type ConfigValueType = (typeof CONFIG_VALUE_TYPES)[number];

/** How a changed config value reaches the service: live to its agent, by a restart, stored for its next start, or not at all. */
export const CONFIG_DELIVERIES = ['live', 'restart', 'stored', 'unchanged'] as const;
export type ConfigDelivery = (typeof CONFIG_DELIVERIES)[number];

export const OVERLAP_POLICIES = ['skip', 'queue', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export const CATCH_UP_POLICIES = ['none', 'latest', 'all'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

/** The most runs one `run.list` returns. */
export const MAX_RUN_LIST = 1000;

/** A run's priority: higher starts first, FIFO among equals; 0 unless the submit says. */
export const RUN_PRIORITY = {min: -1000, max: 1000} as const;

/** The most fires one `schedule.next` previews. */
export const MAX_NEXT_FIRES = 1000;

/** `capsule restart|stop|start TARGET`. */
export const CONTROL_VERBS = ['restart', 'stop', 'start'] as const;
export type ControlVerb = (typeof CONTROL_VERBS)[number];

/** What a secret config value is sent and shown as, wherever it would appear. */
export const SECRET_MASK = '***';

/** Where a code session's namespace lives: a process of its own, or one inside a sandbox. */
export const SESSION_ISOLATIONS = ['process', 'sandbox'] as const;
export type SessionIsolation = (typeof SESSION_ISOLATIONS)[number];

/** `lost`: its process was gone when a restarted daemon looked for it (it is never replaced silently). */
export const SESSION_STATES = ['idle', 'busy', 'lost', 'closed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** How a snippet failed: `error` is what it threw, `syntax` what it could not be read as; the rest ended it from outside. */
export const SNIPPET_ERROR_TYPES = ['error', 'syntax', 'interrupted', 'timeout', 'out_of_memory', 'compute_exhausted', 'crashed'] as const;
export type SnippetErrorType = (typeof SNIPPET_ERROR_TYPES)[number];

/** A node of a cluster: `up` while it renews its lease on the backend, `lost` once it let it pass (killed, cut off). */
export const NODE_STATES = ['up', 'lost'] as const;
export type NodeState = (typeof NODE_STATES)[number];
