/**
 * Messages between the executor (daemon side) and a task worker during one attempt. A thread
 * worker keeps the first MessagePort it is given as its lasting channel; a process worker talks
 * over its IPC channel. Both outlive attempts, so every message carries the attempt's `token`,
 * and a message with another token is a leftover from an earlier attempt and is ignored.
 */
import type {MessagePort} from 'node:worker_threads';
import type {Isolation} from '../runner/executor-api.js';
import type {LogLevel, StepKind} from '../../src/protocol/index.js';
import type {SandboxView} from './sandbox-denial.js';

/** The tinypool task for one attempt. */
export interface AttemptPayload {
  token: string;
  isolation: Isolation;
  modulePath: string;
  exportName: string;
  runId: string;
  attempt: number;
  input: unknown;
  env: Record<string, string>;
  /** Working directory; process and sandbox isolation (worker threads cannot chdir). */
  cwd: string | null;
  /** Sandbox isolation: what the worker needs to name the sandbox's walls (null: not a sandbox). */
  sandbox: SandboxView | null;
  /** Thread isolation: a port for a worker without a lasting channel yet (null: use the worker's). */
  port: MessagePort | null;
  /** The attempt's memory limit: a worker still over it when the task ends waits to be stopped (see exceedsMemoryLimit). */
  ramBytes: number;
  /** The run's steps as earlier attempts left them: the ones over in the order they ended, then the ones still waiting. */
  memo: MemoStep[];
}

/** A step of the run recorded by an earlier attempt, as the attempt replaying it sees it (worker/step-replay.ts). */
export interface MemoStep {
  key: string;
  kind: StepKind;
  /** Its place in the order of the attempt's step calls, from 0. */
  index: number;
  /** `failed`: a wait or prompt that timed out (a failed `ctx.step` is run again, so not given). `waiting`: a sleep, wait or prompt not over. */
  state: 'succeeded' | 'failed' | 'waiting';
  value?: unknown;
  /** The result is too big to come with the attempt: it is asked for (`value`) when replayed. */
  large?: true;
  /** A timeout's message. */
  error?: string;
}

/** What a worker asks of the daemon for a durable step (worker/step-replay.ts, runner/run-steps.ts). */
export type DurableOp =
  /** A step's function ended: its result or its failure is recorded (and on disk) before the reply. */
  | ({op: 'step'; key: string; name: string; index: number; tries: number; startedAt: number; durationMs: number} & ({ok: true; json: string} | {ok: false; error: SentError}))
  | {op: 'sleep'; key: string; name: string; index: number; until: number}
  | {op: 'wait'; key: string; name: string; index: number; timeoutMs: number}
  | {op: 'prompt'; key: string; name: string; index: number; timeoutMs: number; question: string; choices: string[] | null; default: string | null; secret: boolean}
  /** A recorded result too big to have come with the attempt. */
  | {op: 'value'; key: string};

export type DurableReply =
  /** Over: the step is recorded; a wait's signal or a prompt's answer was there already (`value`), or it timed out (`timedOut`: the message). */
  | {done: true; value?: unknown; timedOut?: string}
  /** Not over: the attempt is to suspend. */
  | {suspend: true};

/** Largest JSON result of one step (kept inline up to MAX_INLINE_STEP_BYTES, in a file beyond). */
export const MAX_STEP_RESULT_BYTES = 16 * 1024 * 1024;

/** A user module's source as the daemon serves it to a worker (see executor/module-sources.ts). */
export interface ModuleSource {
  format: 'module';
  source: string;
}

export interface SentError {
  name: string;
  message: string;
  stack: string | null;
  code?: string;
  /**
   * Sandbox isolation: a path the task found absent (ENOENT). The daemon looks for it outside:
   * there, it is what the sandbox hid (CAPSULE_HOME under /tmp, behind the sandbox's own /tmp).
   */
  absentPath?: string;
}

export type WorkerOutcome =
  /** `result` is the v8-serialized return value, so its size is known and checked in the worker. */
  | {ok: true; result: Uint8Array; cpuMs: number | null; memoryBytes: number}
  /** `nondeterminism`: the attempt's steps did not match the recorded ones. */
  | {ok: false; error: SentError; fatal: boolean; nondeterminism: boolean; cpuMs: number | null; memoryBytes: number}
  /** The attempt stopped at a durable sleep, wait or prompt (its state is with the daemon). */
  | {ok: 'suspended'; cpuMs: number | null; memoryBytes: number};

export type WorkerMessageBody =
  | {
      t: 'started';
      pid: number;
      /** worker_threads' threadId (tinypool's worker id for threads); 0 in a child process. */
      threadId: number;
      /** Kernel id of the worker's thread, to read its CPU time in /proc; null off Linux or in a process. */
      tid: number | null;
      /** CPU the worker had used before this attempt (its thread, or its whole process), ms. */
      cpuMs: number | null;
      /** Process isolation: a CPU rlimit left by an earlier attempt (seconds). The worker waits for `resume` before running user code. */
      cpuLimitSeconds: number | null;
      /** Thread isolation: the worker kept this attempt's port as its lasting channel. */
      adopted: boolean;
      /** Process isolation: the worker's start time (field 22 of /proc/PID/stat), which tells it from a later process given its pid; null off Linux or in a thread. */
      startTime: number | null;
    }
  /** Process isolation: the task started its first process (the attempt's processes are to be looked for when it ends). */
  | {t: 'spawned'}
  | {t: 'log'; level: LogLevel; message: string}
  | {t: 'progress'; current: number; total: number | null; message: string | null}
  | {t: 'submit'; call: number; task: string; input: unknown}
  | {t: 'await'; call: number; runId: string}
  /** The worker imports a user module: `format` is what Node resolved for it. Answered with a ModuleSource or null (load it from disk). */
  | {t: 'module'; call: number; url: string; format: string | null}
  | {t: 'durable'; call: number; op: DurableOp}
  | {t: 'done'; outcome: WorkerOutcome};

export type ExecutorMessageBody =
  | {t: 'abort'; reason: 'timeout' | 'cancelled'; message: string}
  | {t: 'resume'}
  | {t: 'reply'; call: number; ok: true; value: unknown}
  | {t: 'reply'; call: number; ok: false; error: SentError};

export type WorkerMessage = WorkerMessageBody & {token: string};
export type ExecutorMessage = ExecutorMessageBody & {token: string};

/** The worker thread's global the daemon's memory probe calls (executor/thread-memory.ts, worker/memory.ts). */
export const MEMORY_PROBE_GLOBAL = '__capsuleMemoryBytes';

/**
 * The memory rule, for the worker and the executor alike: an attempt whose worker holds more
 * than its limit (after a garbage collection) ends out_of_memory, and the worker is stopped with
 * it so that what it holds is freed rather than handed to the next attempt.
 */
export function exceedsMemoryLimit(bytes: number, limitBytes: number): boolean {
  return bytes > limitBytes;
}

/** Largest serialized result a task may return; bigger results belong in a file or a store. */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;

export function isMessageFor(token: string, message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as {token?: unknown}).token === token;
}

/** Causes named in a sent error's message: enough for `fetch failed` to say which socket error. */
const MAX_CAUSES = 3;

export function toSentError(error: unknown): SentError {
  if (error instanceof Error) {
    const code = (error as {code?: unknown}).code;
    return {name: error.name, message: withCauses(error), stack: error.stack ?? null, ...(typeof code === 'string' ? {code} : {})};
  }
  return {name: 'Error', message: typeof error === 'string' ? error : `non-error value thrown: ${safeString(error)}`, stack: null};
}

export function fromSentError(sent: SentError): Error {
  const error = new Error(sent.message);
  error.name = sent.name;
  if (sent.stack !== null) error.stack = sent.stack;
  if (sent.code !== undefined) Object.assign(error, {code: sent.code});
  return error;
}

/**
 * The message and its causes: undici's `fetch failed` says nothing until its cause
 * (`SocketError: other side closed`, code UND_ERR_SOCKET) is read, and only the text crosses
 * to the run's record.
 */
function withCauses(error: Error): string {
  let message = error.message;
  let cause: unknown = error.cause;
  for (let depth = 0; depth < MAX_CAUSES && cause !== undefined; depth++) {
    if (cause instanceof Error) {
      const code = (cause as {code?: unknown}).code;
      message += ` (cause: ${cause.name}: ${cause.message}${typeof code === 'string' ? ` [${code}]` : ''})`;
      cause = cause.cause;
    } else {
      message += ` (cause: ${safeString(cause)})`;
      cause = undefined;
    }
  }
  return message;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
