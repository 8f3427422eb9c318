import {z} from 'zod';
import {Instant, Text} from './common.js';
import {ISOLATIONS, LOG_LEVELS, MAX_RUN_LIST, RUN_ERROR_TYPES, RUN_PRIORITY, RUN_STATUSES, STEP_KINDS, STEP_STATUSES} from './vocabulary.js';

export const RunStatusSchema = z.enum(RUN_STATUSES);

export const RunError = z.object({
  type: z.enum(RUN_ERROR_TYPES),
  message: z.string(),
  stack: z.string().nullable(),
});
export type RunError = z.infer<typeof RunError>;

/**
 * The process an attempt ran in (process isolation): its pid, and its start time in clock ticks
 * after boot (field 22 of /proc/PID/stat), which tells it from a later process given the same
 * pid. The next daemon ends it if this one died while it ran.
 */
export const AttemptWorker = z.object({
  pid: z.number().int().positive(),
  startTime: z.number().int().nonnegative(),
});
export type AttemptWorker = z.infer<typeof AttemptWorker>;

/** One HTTP request of a sandboxed attempt, as its egress proxy (daemon/sandbox) saw it end. */
export const EgressRequest = z.object({
  method: z.string(),
  /** "name:port"; for a request the proxy could not place, what it was sent (the Host header, the CONNECT target). */
  host: z.string(),
  /** The status the sandbox got; null when it got no response (the connection ended first). */
  status: z.number().int().nullable(),
  /** Response body bytes sent to the sandbox. */
  bytes: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  /** Refused by the proxy (a host not allowed, CONNECT, an upgrade, an origin-form target). */
  denied: z.boolean(),
});
export type EgressRequest = z.infer<typeof EgressRequest>;

/** The most requests one attempt's record lists; later ones are only counted (`requestsDropped`), so a chatty task cannot grow its run's record without bound. */
export const MAX_ATTEMPT_REQUESTS = 100;

export const RunAttempt = z.object({
  /** 1 for the first attempt. */
  n: z.number().int().positive(),
  startedAt: Instant,
  finishedAt: Instant.nullable(),
  error: RunError.nullable(),
  /** Process isolation, once a worker took the attempt; absent in a thread. */
  worker: AttemptWorker.optional(),
  /** The attempt ended at a durable sleep or wait, not in failure: the run went on in a later attempt. */
  suspended: z.enum(['sleeping', 'waiting']).optional(),
  /** Sandbox isolation: its HTTP requests through the egress proxy, in the order they ended, at most MAX_ATTEMPT_REQUESTS; absent before the first. */
  requests: z.array(EgressRequest).max(MAX_ATTEMPT_REQUESTS).optional(),
  /** Requests made after the first MAX_ATTEMPT_REQUESTS: counted, not listed; written when the attempt ends. */
  requestsDropped: z.number().int().positive().optional(),
});
export type RunAttempt = z.infer<typeof RunAttempt>;

/** One execution of a task, as persisted and as every client sees it (JSON, camelCase). */
export const RunRecord = z.object({
  id: z.string(),
  namespace: z.string(),
  task: z.string(),
  status: RunStatusSchema,
  input: z.unknown(),
  result: z.unknown(),
  error: RunError.nullable(),
  attempts: z.array(RunAttempt),
  createdAt: Instant,
  startedAt: Instant.nullable(),
  finishedAt: Instant.nullable(),
  durationMs: z.number().nullable(),
  cpuMs: z.number().nullable(),
  peakMemoryMb: z.number().nullable(),
  parentId: z.string().nullable(),
  /** Higher runs first; FIFO among equals. */
  priority: z.number().int(),
  /** When the run next moves on its own: a scheduled run is queued, a sleep ends, a wait or prompt times out. */
  wakeAt: Instant.nullable(),
  /** A submit with this key, until `idempotencyExpiresAt`, returns this run instead of making one. */
  idempotencyKey: z.string().nullable(),
  idempotencyExpiresAt: Instant.nullable(),
});
export type RunRecord = z.infer<typeof RunRecord>;

/** What `ctx.prompt` asks a person. */
export const PromptRequest = z.object({
  question: z.string(),
  /** The answers allowed; null: any text. */
  choices: z.array(z.string()).nullable(),
  /** The answer an empty reply gives. */
  default: z.string().nullable(),
  /** Typed masked, and never written to a log, the audit trail or `show`. */
  secret: z.boolean(),
});
export type PromptRequest = z.infer<typeof PromptRequest>;

/** One durable step of a run (`ctx.step`, `sleep`, `waitFor`, `prompt`), as `capsule show` lists it. Results are not sent: `resultBytes` tells their size. */
export const StepRecord = z.object({
  runId: z.string(),
  /** The step's name plus its occurrence in the run: `fetch#1`, `fetch#2`. */
  key: z.string(),
  name: z.string(),
  kind: z.enum(STEP_KINDS),
  status: z.enum(STEP_STATUSES),
  /** The run's attempt that ran it; later attempts reuse its result. */
  attempt: z.number().int().positive(),
  /** How many times its function ran within that attempt (its own `maxRetries`); 1 for a sleep, wait or prompt. */
  tries: z.number().int().nonnegative(),
  startedAt: Instant,
  finishedAt: Instant.nullable(),
  durationMs: z.number().nullable(),
  /** Size of its JSON result; null without one (a failure, a secret answer). */
  resultBytes: z.number().int().nonnegative().nullable(),
  error: RunError.nullable(),
  /** A sleep: when it ends. A wait or prompt: when it times out. */
  until: Instant.nullable(),
  /** A wait: the signal's name. */
  signal: z.string().nullable(),
  prompt: PromptRequest.nullable(),
});
export type StepRecord = z.infer<typeof StepRecord>;

export const RunLogLine = z.object({
  runId: z.string(),
  /**
   * The line's place in the run's log: 1 for its first line, one more for each next one, across
   * attempts and daemon restarts. A follower drops a line whose seq it already has (see `run.logs`).
   */
  seq: z.number().int().nonnegative(),
  attempt: z.number().int(),
  time: Instant,
  level: z.enum(LOG_LEVELS),
  message: z.string(),
});
export type RunLogLine = z.infer<typeof RunLogLine>;

export const RunProgress = z.object({
  runId: z.string(),
  current: z.number(),
  total: z.number().nullable(),
  message: z.string().nullable(),
});
export type RunProgress = z.infer<typeof RunProgress>;

const LastRun = z.object({id: z.string(), status: RunStatusSchema, finishedAt: Instant.nullable(), createdAt: Instant});

/** A task as `capsule list` and the dashboard show it: its limits and its live counts. */
export const TaskSummary = z.object({
  name: z.string(),
  /** Module that declares it, relative to the project root. */
  module: z.string(),
  isolation: z.enum(ISOLATIONS),
  ramBytes: z.number(),
  timeoutMs: z.number(),
  computeMs: z.number(),
  maxRetries: z.number().int(),
  concurrency: z.number().int().nullable(),
  lock: z.string().nullable(),
  /** Its runs that are not final, by status. */
  scheduled: z.number().int(),
  queued: z.number().int(),
  running: z.number().int(),
  sleeping: z.number().int(),
  waiting: z.number().int(),
  lastRun: LastRun.nullable(),
});
export type TaskSummary = z.infer<typeof TaskSummary>;

/** A project's task: `ns/task`. */
export const TaskRef = z.strictObject({namespace: Text, task: Text});
export type TaskRef = z.infer<typeof TaskRef>;

/** `ns/task`, or a file for an ad-hoc run of the task it declares. */
export const RunTarget = z.union([TaskRef, z.strictObject({file: Text, task: Text.optional()})]);
export type RunTarget = z.infer<typeof RunTarget>;

export const RunListParams = z.strictObject({
  namespace: Text.optional(),
  task: Text.optional(),
  status: RunStatusSchema.optional(),
  limit: z.number().int().positive().max(MAX_RUN_LIST).default(20),
});
export type RunListParams = z.input<typeof RunListParams>;

const RunId = z.strictObject({id: Text});

export const runMethods = {
  /**
   * `follow`: the connection receives the run's events (topic `run:<id>`) from its very first one.
   * `wait`: the reply is the run's final record, once that is on disk, rather than the record as
   * accepted: submit and `run.wait` in one round trip, for callers that want the outcome and no
   * events (not with `follow`). If the daemon stops first, the error names the run.
   */
  'run.submit': {
    params: z.strictObject({
      target: RunTarget,
      input: z.unknown().default({}),
      follow: z.boolean().default(false),
      wait: z.boolean().default(false),
      /** Queued this long after it is accepted: the run is `scheduled` until then. */
      delayMs: z.number().int().nonnegative().optional(),
      /** Queued at this instant (ISO 8601); not with `delayMs`. */
      runAt: z.iso.datetime({offset: true}).optional(),
      /**
       * While a run of the same task submitted with this key is kept and its key lives, the reply
       * is that run's record (whatever its status), not a new run: the caller tells by its id
       * (the one the first submit got), or by its `createdAt`, older than the request.
       */
      idempotencyKey: Text.max(256).optional(),
      /** How long the key lives after the submit. @default 24h */
      idempotencyTtlMs: z.number().int().positive().optional(),
      /** Higher runs start first; FIFO among equals. @default 0 */
      priority: z.number().int().min(RUN_PRIORITY.min).max(RUN_PRIORITY.max).optional(),
    }),
    result: RunRecord,
  },
  'run.get': {params: RunId, result: RunRecord},
  /** The run's steps, in the order they started. */
  'run.steps': {params: RunId, result: z.object({steps: z.array(StepRecord)})},
  /**
   * Sends a signal to a run's `ctx.waitFor(name)`. A run not yet at that wait keeps it until it
   * gets there (`delivered: false`); a finished run refuses it.
   */
  'run.signal': {params: z.strictObject({id: Text, name: Text, value: z.unknown().default(null)}), result: z.object({run: RunRecord, delivered: z.boolean()})},
  /** Answers the run's waiting `ctx.prompt` (`step`: which one, when several wait). */
  'run.answer': {params: z.strictObject({id: Text, step: Text.optional(), value: z.string()}), result: RunRecord},
  /** Resolves when the run reaches a final state. */
  'run.wait': {params: RunId, result: RunRecord},
  'run.list': {params: RunListParams, result: z.object({runs: z.array(RunRecord)})},
  'run.cancel': {params: RunId, result: RunRecord},
  /** A new run of the same task with the same input. */
  'run.rerun': {params: RunId, result: RunRecord},
  /**
   * The last `tail` log lines of a run, or of a task's latest run (`namespace` and `task`).
   *
   * `follow`: also subscribes the connection to the run's events (topic `run:<id>`), *before* the
   * tail is read, so no line falls between the two; the price is an overlap. So on this
   * connection `run.log` events of the run may arrive before this reply, and some of them (and of
   * those after it) repeat lines of the tail. A follower buffers the run's events until the reply,
   * shows the tail, then shows only the lines whose `seq` is above the tail's last (all of them
   * when the tail is empty): every line once, in order. `LogJoin` in src/client does this.
   */
  'run.logs': {
    params: z.strictObject({id: Text.optional(), namespace: Text.optional(), task: Text.optional(), tail: z.number().int().nonnegative().default(100), follow: z.boolean().default(false)}),
    result: z.object({runId: z.string().nullable(), lines: z.array(RunLogLine)}),
  },
};

/**
 * Topic `run` carries every run's events; topic `run:<id>` only that run's (subscribe to
 * that to follow one run without receiving the rest).
 */
export const runEvents = {
  'run.updated': RunRecord,
  'run.log': RunLogLine,
  'run.progress': RunProgress,
  /** A step started waiting, or ended. */
  'run.step': StepRecord,
};
