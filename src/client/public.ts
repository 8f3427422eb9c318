/**
 * `capsule/client`: submit runs to the Capsule daemon from a Node program and follow them.
 *
 * ```ts
 * import {connect} from 'capsule/client';
 *
 * const capsule = await connect();
 * const run = await capsule.submit('reports/build_report', {id: 7});
 * for await (const event of run.events()) {
 *   if (event.type === 'log') console.log(event.line.message);
 * }
 * console.log(await run.result());
 * capsule.close();
 * ```
 *
 * One client holds one connection to the daemon, however many runs it submits; close it when
 * done (an open connection keeps the process alive). Awaiting a run costs one request; its live
 * events are fetched only for the handles whose `events()` or `on()` is used.
 */
import {CapsuleError} from '../lib/errors.js';
import {homePaths} from '../lib/home.js';
import {isFinalRunStatus, type EventArgs, type RunRecord, type RunStatus, type RunTarget, type SessionIsolation} from '../protocol/index.js';
import {DaemonClient} from './client.js';
import {startDaemon, tryConnect} from './daemon-process.js';
import {MAX_REPLAYED_EVENTS, TrackedRun, stepEvent, type RunEvent, type RunHandle, type RunSource} from './run-handle.js';
import {parseItemRef} from '../protocol/targets.js';
import {submitParams, type SubmitOptions} from './submit-options.js';
import {fileRunTarget} from './targets.js';
import {SessionHandle} from './session.js';

export {CapsuleError, type ErrorCode} from '../lib/errors.js';
export {MAX_UNREAD_EVENTS} from './event-queue.js';
export {MAX_REPLAYED_EVENTS, RunFailedError, type RunEvent, type RunHandle} from './run-handle.js';
export type {Duration, SubmitOptions} from './submit-options.js';
export {SessionHandle, type ExecuteOptions, type SessionMessage} from './session.js';
export type {ExecutionResult, SessionSummary, SnippetFailure, SnippetErrorType} from '../protocol/index.js';
export type {PromptRequest, RunAttempt, RunError, RunErrorType, RunLogLine, RunProgress, RunRecord, RunStatus, StepKind, StepRecord, StepStatus} from '../protocol/index.js';

export interface ConnectOptions {
  /** Capsule's home directory, where the daemon's socket is. @default $CAPSULE_HOME, else ~/.capsule */
  home?: string;
  /** Start the daemon if none is running. @default true, unless CAPSULE_NO_AUTOSTART=1 */
  autostart?: boolean;
}

export interface SessionOptions {
  /** The project's namespace: the session works in its directory, with its sandbox policy. */
  project?: string;
  /** @default "process" */
  isolation?: SessionIsolation;
  /** "512MB" (the default): the heap cap, and the size past which the process is replaced. */
  ram?: string;
  /** CPU time each snippet may use ("30s"). @default no limit */
  cpu?: string;
  /** @default "15m" */
  idleTimeout?: string;
  /** @default "24h" */
  maxAge?: string;
}

export interface RunListFilter {
  /** A namespace (`reports`) or a task (`reports/build_report`). @default every run */
  target?: string;
  status?: RunStatus;
  /** How many, newest first: 1 to 1000. @default 20 */
  limit?: number;
}

export interface CapsuleClient {
  /** Pid of the daemon this client talks to. */
  readonly daemonPid: number;
  /**
   * Submits a run of `target` with `input` (JSON data, default `{}`). `target` is
   * `"namespace/task"`, or a path to a task file for an ad-hoc run (ending in .ts, .mts, .js or
   * .mjs, or starting with ./, ../ or /). Resolves once the daemon has persisted the run. Rejects
   * with a CapsuleError: `not_found` for an unknown task (with a suggestion in its hint),
   * `bad_input` for a malformed target, an input the task's lock key cannot be filled from, or a
   * bad option (the message names it).
   *
   * `options`: `delay` ("10m") or `runAt` (a Date) starts the run later, `scheduled` until then
   * (the handle's `wait()` and `result()` wait for it); `priority` (higher first); and
   * `idempotencyKey` (with `idempotencyTtl`, default "24h"): while a run of the task submitted
   * with the key is kept and the key lives, the handle is that run's, not a new one's — compare
   * `handle.id` with the first submit's to tell.
   *
   * ```ts
   * await capsule.submit('shop/send_receipt', {order: 42}, {delay: '10m', idempotencyKey: 'order-42'});
   * ```
   */
  submit(target: string, input?: unknown, options?: SubmitOptions): Promise<RunHandle>;
  /**
   * Submits a run as `submit` does and resolves with its final record (succeeded, failed or
   * cancelled: check `status`, the result is `run.result`), once that is on disk: one request
   * instead of two, for a caller that wants the outcome and not the events. Rejects as `submit`
   * does, and if the daemon stops or the connection is lost before the run ends: `conflict` (the
   * message names the run) or `daemon_unreachable`. With `delay` or `runAt` it waits that long too.
   *
   * ```ts
   * const run = await capsule.run('shop/send_receipt', {order: 42});
   * if (run.status !== 'succeeded') console.error(run.error);
   * ```
   */
  run(target: string, input?: unknown, options?: SubmitOptions): Promise<RunRecord>;
  /** The current record of any run. Rejects with `not_found` for an unknown (or pruned) run. */
  get(id: string): Promise<RunRecord>;
  /** Runs, newest first. */
  list(filter?: RunListFilter): Promise<RunRecord[]>;
  /**
   * Answers the question a run waits on (`ctx.prompt`); resolves with the run's record once the
   * answer is on disk (the run then goes on). An empty answer takes the prompt's default. Rejects
   * with a CapsuleError `bad_input` when the answer is not one of the prompt's choices, the run
   * waits for no answer (or has ended), or several prompts wait and `step` does not say which;
   * `not_found` for an unknown run.
   */
  answer(runId: string, value: string, options?: {step?: string}): Promise<RunRecord>;
  /**
   * Sends a signal to the run's `ctx.waitFor(name)`, with a JSON value; resolves once it is on
   * disk. `delivered: false`: the run has not reached that wait yet and gets the signal when it
   * does. Rejects with `bad_input` for a run that has ended or waits for other signals only.
   */
  signal(runId: string, name: string, value?: unknown): Promise<{delivered: boolean}>;
  /**
   * Opens a code session: a persistent namespace in the daemon that snippets run in
   * (`execute`, `stream`), for a project (its directory and, sandboxed, its allowedFiles and
   * allowedHosts) or none. Rejects with `conflict` when the daemon keeps as many sessions as it
   * may (daemon.toml's [sessions] max), or sandboxes cannot run here.
   *
   * ```ts
   * const s = await capsule.session({isolation: 'sandbox'});
   * await s.execute('const xs = [1, 2, 3]');
   * console.log((await s.execute('xs.length')).value); // 3
   * await s.close();
   * ```
   */
  session(options?: SessionOptions): Promise<SessionHandle>;
  /** Closes the connection. Handles of runs not yet final reject their `wait()`/`result()` with `daemon_unreachable`. */
  close(): void;
}

/**
 * Connects to the daemon of `options.home`, starting it first unless `autostart` is false.
 * Rejects with a CapsuleError: `daemon_unreachable` (none running and autostart off, or it failed
 * to start; the hint says how to fix it) or `protocol_mismatch` (the daemon runs another version).
 */
export async function connect(options: ConnectOptions = {}): Promise<CapsuleClient> {
  const paths = homePaths(options.home === undefined ? process.env : {...process.env, CAPSULE_HOME: options.home});
  const autostart = options.autostart ?? process.env.CAPSULE_NO_AUTOSTART !== '1';
  const existing = await tryConnect(paths);
  if (existing) return new Client(existing);
  if (!autostart) {
    throw new CapsuleError('daemon_unreachable', `no capsule daemon is running (CAPSULE_HOME=${paths.home})`, {
      hint: 'start it with `capsule daemon start`, or connect with {autostart: true}',
    });
  }
  return new Client((await startDaemon(paths)).client);
}

class Client implements CapsuleClient, RunSource {
  readonly #connection: DaemonClient;
  /** Runs whose events are routed to their handle, until they end. */
  readonly #followed = new Map<string, TrackedRun>();
  /** Topics of followed runs that ended, unsubscribed in one request per turn of the event loop. */
  #ended: string[] = [];

  constructor(connection: DaemonClient) {
    this.#connection = connection;
    connection.onEvent((...event) => this.#route(...event));
    connection.onClose(() => {
      const lost = connection.closeReason ?? new CapsuleError('daemon_unreachable', 'the connection to the daemon closed before the run ended', {hint: 'check `capsule daemon status`; the run goes on in the daemon: `capsule show RUN`'});
      for (const run of this.#followed.values()) run.lose(lost);
      this.#followed.clear();
    });
  }

  get daemonPid(): number {
    return this.#connection.daemonPid;
  }

  async submit(target: string, input: unknown = {}, options: SubmitOptions = {}): Promise<RunHandle> {
    const accepted = await this.#connection.call('run.submit', {target: runTarget(target), input, ...submitParams(options)});
    return new TrackedRun(accepted, this);
  }

  async run(target: string, input: unknown = {}, options: SubmitOptions = {}): Promise<RunRecord> {
    return this.#connection.call('run.submit', {target: runTarget(target), input, wait: true, ...submitParams(options)});
  }

  get(id: string): Promise<RunRecord> {
    return this.#connection.call('run.get', {id});
  }

  async list(filter: RunListFilter = {}): Promise<RunRecord[]> {
    const params: {namespace?: string; task?: string; status?: RunStatus; limit?: number} = {};
    if (filter.target !== undefined) {
      if (filter.target.includes('/')) {
        const ref = parseItemRef(filter.target, 'task');
        params.namespace = ref.namespace;
        params.task = ref.name;
      } else {
        params.namespace = filter.target;
      }
    }
    if (filter.status !== undefined) params.status = filter.status;
    if (filter.limit !== undefined) params.limit = filter.limit;
    return (await this.#connection.call('run.list', params)).runs;
  }

  async session(options: SessionOptions = {}): Promise<SessionHandle> {
    return new SessionHandle(this.#connection, await this.#connection.call('session.new', options));
  }

  close(): void {
    this.#connection.close();
  }

  wait(id: string): Promise<RunRecord> {
    return this.#connection.call('run.wait', {id});
  }

  cancel(id: string): Promise<RunRecord> {
    return this.#connection.call('run.cancel', {id});
  }

  answer(id: string, value: string, options: {step?: string} = {}): Promise<RunRecord> {
    return this.#connection.call('run.answer', {id, value, ...(options.step === undefined ? {} : {step: options.step})});
  }

  async signal(id: string, name: string, value: unknown = null): Promise<{delivered: boolean}> {
    const {delivered} = await this.#connection.call('run.signal', {id, name, value});
    return {delivered};
  }

  /**
   * Subscribes to the run's events and reads its log (the daemon subscribes first, so the two
   * overlap rather than leave a gap; the handle drops the overlap), then reads its record: anything
   * that changed before the subscription is in it. A run not over may have asked a question
   * before: its steps are read for the prompts that wait.
   */
  follow(run: TrackedRun): void {
    this.#followed.set(run.id, run);
    (async () => {
      const {lines} = await this.#connection.call('run.logs', {id: run.id, tail: MAX_REPLAYED_EVENTS, follow: true});
      const current = await this.#connection.call('run.get', {id: run.id});
      const steps = isFinalRunStatus(current.status) ? [] : (await this.#connection.call('run.steps', {id: run.id})).steps;
      run.caughtUp(lines, current, steps.filter((step) => step.kind === 'prompt' && step.status === 'waiting'));
      this.#releaseIfEnded(run);
    })().catch((error: Error) => {
      this.#followed.delete(run.id);
      run.lose(error);
    });
  }

  #route(...[event, data]: EventArgs): void {
    let routed: RunEvent;
    let runId: string;
    if (event === 'run.updated') {
      routed = {type: 'update', run: data};
      runId = data.id;
    } else if (event === 'run.log') {
      routed = {type: 'log', line: data};
      runId = data.runId;
    } else if (event === 'run.progress') {
      routed = {type: 'progress', progress: data};
      runId = data.runId;
    } else if (event === 'run.step') {
      routed = stepEvent(data);
      runId = data.runId;
    } else {
      return;
    }
    const run = this.#followed.get(runId);
    if (!run) return;
    run.push(routed);
    this.#releaseIfEnded(run);
  }

  /** A followed run that ended: the daemon drops its subscription, so a long-lived client holds none for finished runs. */
  #releaseIfEnded(run: TrackedRun): void {
    if (!run.streamEnded || this.#followed.get(run.id) !== run) return;
    this.#followed.delete(run.id);
    if (this.#ended.push(`run:${run.id}`) > 1) return;
    setImmediate(() => {
      const topics = this.#ended;
      this.#ended = [];
      if (!this.#connection.isClosed) this.#connection.call('unsubscribe', {topics}).catch(() => {});
    });
  }
}

/**
 * `ns/task`, or a task file; only a target that looks like a file is looked for on disk. A program
 * names its tasks in full: unlike the CLI's, its bare names do not depend on its directory.
 */
function runTarget(target: string): RunTarget {
  const file = /\.(m?[jt]s|tsx)$/.test(target) || target.startsWith('.') || target.startsWith('/') ? fileRunTarget(target) : undefined;
  if (file) return file;
  const ref = parseItemRef(target, 'task');
  return {namespace: ref.namespace, task: ref.name};
}
