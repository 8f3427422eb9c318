import {format} from 'node:util';
import type {LogLevel} from '../../src/protocol/index.js';
import type {ChildRun, TaskContext} from '../../src/sdk/context.js';
import type {WorkerLink} from './link.js';
import {StepReplay} from './step-replay.js';
import {LOG_LINES_PER_SECOND, LogThrottle} from './log-throttle.js';
import {fromSentError, type DurableOp, type DurableReply, type ExecutorMessage, type MemoStep, type ModuleSource} from './protocol.js';

/** Longest log line kept; the rest is cut so one line cannot flood the run's log. */
export const MAX_LOG_LINE_CHARS = 16 * 1024;

type Reply = Extract<ExecutorMessage, {t: 'reply'}>;

export interface AttemptContext {
  ctx: TaskContext;
  /** Its steps, sleeps, waits and prompts. */
  durable: StepReplay;
  /** Writes a log line for this attempt (console output is routed here too). */
  log(level: LogLevel, args: unknown[]): void;
  settleCall(reply: Reply): void;
  /** Asks the daemon for a user module's source (see module-host.ts). */
  loadModule(url: string, format: string | null): Promise<ModuleSource | null>;
  /** Aborts `ctx.signal` (a timeout or a cancel) with `reason`. */
  abort(reason: DOMException): void;
  /** Reports lines dropped by the rate limit; call once the task is done. */
  flush(): void;
}

export function createAttemptContext(runId: string, attempt: number, memo: MemoStep[], link: WorkerLink, scratchDir: string | null): AttemptContext {
  // Most tasks never read ctx.signal, and an AbortController costs more than the rest of the
  // context together: it is made when first asked for, already aborted if the abort came first.
  let controller: AbortController | null = null;
  let abortReason: DOMException | null = null;
  const throttle = new LogThrottle(() => performance.now());
  const calls = new Map<number, {resolve(value: unknown): void; reject(error: Error): void}>();
  let nextCall = 1;

  const reportDropped = () => {
    const dropped = throttle.takeDropped();
    if (dropped > 0) link.send({t: 'log', level: 'warn', message: `[capsule] ${dropped} log lines dropped: a task may log ${LOG_LINES_PER_SECOND} lines per second`});
  };
  const log = (level: LogLevel, args: unknown[]) => {
    if (!throttle.admit()) return;
    reportDropped();
    const message = format(...args);
    link.send({t: 'log', level, message: message.length > MAX_LOG_LINE_CHARS ? `${message.slice(0, MAX_LOG_LINE_CHARS)}… [cut at ${MAX_LOG_LINE_CHARS} characters]` : message});
  };
  const call = (body: {t: 'submit'; task: string; input: unknown} | {t: 'await'; runId: string} | {t: 'module'; url: string; format: string | null} | {t: 'durable'; op: DurableOp}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextCall++;
      calls.set(id, {resolve, reject});
      link.send({call: id, ...body});
    });

  const durable = new StepReplay(memo, (op) => call({t: 'durable', op}) as Promise<DurableReply>, () => ctx.signal);
  const ctx: TaskContext = {
    runId,
    attempt,
    scratchDir,
    get signal() {
      if (controller === null) {
        controller = new AbortController();
        if (abortReason !== null) controller.abort(abortReason);
      }
      return controller.signal;
    },
    log: (...args) => log('log', args),
    info: (...args) => log('info', args),
    warn: (...args) => log('warn', args),
    error: (...args) => log('error', args),
    progress(current, total, message) {
      if (typeof current !== 'number' || !Number.isFinite(current)) throw new TypeError(`ctx.progress: expected a number as current, got ${String(current)}`);
      link.send({t: 'progress', current, total: typeof total === 'number' ? total : null, message: typeof message === 'string' ? message : null});
    },
    async submit(taskName, input) {
      if (typeof taskName !== 'string' || taskName === '') throw new TypeError(`ctx.submit: expected a task name, got ${String(taskName)}`);
      const id = (await call({t: 'submit', task: taskName, input: input ?? null})) as string;
      const child: ChildRun = {id, result: () => call({t: 'await', runId: id})};
      return child;
    },
    step: (name, fn, options) => durable.step(name, fn, options),
    sleep: (duration) => durable.sleep(duration),
    sleepUntil: (time) => durable.sleepUntil(time),
    waitFor: (name, options) => durable.waitFor(name, options) as never,
    prompt: (question, options) => durable.prompt(question, options),
  };

  return {
    ctx,
    durable,
    log,
    settleCall(reply) {
      const pending = calls.get(reply.call);
      if (pending === undefined) return;
      calls.delete(reply.call);
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(fromSentError(reply.error));
    },
    loadModule: (url, format) => call({t: 'module', url, format}) as Promise<ModuleSource | null>,
    abort(reason) {
      abortReason ??= reason;
      controller?.abort(reason);
    },
    flush: reportDropped,
  };
}
