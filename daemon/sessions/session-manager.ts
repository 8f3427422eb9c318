/**
 * Code sessions (src/protocol/sessions.ts): each is a host process (session-host.ts) holding one
 * namespace, which snippets run in one at a time. This owns them: opens them (from a warm pool
 * when it can), queues their snippets, enforces their limits, replaces a process it had to kill,
 * closes idle ones, and leaves them running across a daemon restart for the next daemon to adopt.
 */
import {randomBytes} from 'node:crypto';
import {mkdirSync, rmSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import {join, resolve} from 'node:path';
import {CapsuleError, badInput} from '../../src/lib/errors.js';
import {formatDuration, parseDuration} from '../../src/lib/duration.js';
import {formatSize, parseSize} from '../../src/lib/size.js';
import type {HomePaths} from '../../src/lib/home.js';
import {DEFAULT_SANDBOX_POLICY, type SandboxPolicy} from '../../src/config/sandbox-policy.js';
import type {ExecutionResult, HandlerParams, SessionIsolation, SessionState, SessionSummary, SnippetErrorType, SnippetFailure} from '../../src/protocol/index.js';
import type {AuditLog} from '../core/audit-log.js';
import type {EventBus} from '../core/event-bus.js';
import {PRIVATE_DIR_MODE} from '../core/private-file.js';
import {JsonStore} from '../core/store.js';
import type {Logger} from '../core/logger.js';
import type {ModuleSources} from '../executor/module-sources.js';
import type {ProjectRegistry} from '../projects/registry.js';
import type {SandboxAvailability} from '../sandbox/availability.js';
import type {SessionSettings} from '../../src/config/daemon-file.js';
import {readCpuMs, readRssBytes} from '../worker/procfs.js';
import {namingHiddenPath} from '../sandbox/hidden-paths.js';
import {DEFAULT_ORPHAN_MS, INTERRUPTED_CODE, SNIPPET_OUTPUT_BYTES, type HostMessage, type SnippetOutcome} from './host-protocol.js';
import {HostLink, type HostSpec} from './host-link.js';
import {compileSnippet, snippetStack, SnippetSyntaxError, type CompiledSnippet} from './snippet.js';

export const DEFAULT_SESSION_RAM_BYTES = 512 * 1024 * 1024;
/** After an interrupt (or a limit's), how long a snippet has to stop before its process is killed and replaced. */
const INTERRUPT_GRACE_MS = 2_000;
/** How often a running snippet's memory and CPU are read. */
const WATCH_MS = 100;
const SWEEP_MS = 5_000;
/** Lost sessions listed at most (the oldest go first). */
const MAX_LOST = 100;

interface SessionRecord {
  id: string;
  project: string | null;
  isolation: SessionIsolation;
  /** Its working directory (the project's). */
  cwd: string;
  runDir: string;
  logFile: string;
  pid: number | null;
  createdAt: string;
  lastUsedAt: string;
  executions: number;
  replacements: number;
  ramBytes: number;
  cpuMs: number | null;
  idleTimeoutMs: number;
  maxAgeMs: number;
  state: SessionState;
  reason: string | null;
  /** What a fresh process of it starts with (a replacement too). */
  env: Record<string, string>;
  policy: SandboxPolicy | null;
}

interface SessionsFile {
  sessions: SessionRecord[];
  /** Warm hosts no session has taken: a daemon that died leaves them to the next one, which ends them. */
  warm: {pid: number}[];
}

/** A snippet while it runs. */
interface Running {
  id: string;
  filename: string;
  map: CompiledSnippet['map'];
  callLine: number;
  stdout: string;
  stderr: string;
  outputBytes: number;
  /** Why the daemon stopped it, if it did. */
  stoppedFor: {type: SnippetErrorType; message: string} | null;
  /** The kill that follows a stop the snippet does not obey in time. */
  force: NodeJS.Timeout | null;
  openAsks: Set<string>;
  finish(outcome: SnippetOutcome | null): void;
}

interface Session {
  record: SessionRecord;
  link: HostLink | null;
  running: Running | null;
  /** Snippets wait their turn here. */
  tail: Promise<unknown>;
  queued: number;
  /** A snippet an earlier daemon started, still running when this one adopted the session. */
  adoptedRunning: string | null;
  completions: Map<number, (names: string[]) => void>;
  closing: boolean;
}

export interface SessionManagerOptions {
  paths: HomePaths;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  projects: ProjectRegistry;
  modules: ModuleSources;
  sandbox: Promise<SandboxAvailability>;
  distDir: string;
  /** daemon.toml's `[sessions]`. */
  settings: SessionSettings;
  orphanMs?: number;
}

/**
 * Hosts starting at once: a start is CPU-bound, so a hundred Node processes started together on
 * two cores each take seconds, all of them past the start timeout; in turns, each starts in its
 * usual time, and the rest of the machine keeps a share of it.
 */
const STARTS_AT_ONCE = Math.max(2, availableParallelism());

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private starting = 0;
  private readonly waitingToStart: (() => void)[] = [];
  private readonly warm: Promise<HostLink | null>[] = [];
  private warmWanted = false;
  private sweep: NodeJS.Timeout | null = null;
  private nextCall = 0;
  private closed = false;
  private readonly orphanMs: number;

  private constructor(
    private readonly options: SessionManagerOptions,
    private readonly store: JsonStore<SessionsFile>,
  ) {
    this.orphanMs = options.orphanMs ?? DEFAULT_ORPHAN_MS;
  }

  /** Opens the record of sessions and adopts the ones an earlier daemon left running; the rest are `lost`. */
  static async open(options: SessionManagerOptions): Promise<SessionManager> {
    for (const dir of [options.paths.sessionSocketDir, options.paths.sessionLogsDir]) mkdirSync(dir, {recursive: true, mode: PRIVATE_DIR_MODE});
    const store = await JsonStore.open<SessionsFile>(options.paths.sessions, {sessions: [], warm: []});
    const manager = new SessionManager(options, store);
    await manager.adopt();
    manager.sweep = setInterval(() => manager.closeExpired(), SWEEP_MS).unref();
    return manager;
  }

  counts(): {idle: number; busy: number; lost: number} {
    const counts = {idle: 0, busy: 0, lost: 0};
    for (const {record} of this.sessions.values()) if (record.state !== 'closed') counts[record.state]++;
    return counts;
  }

  list(): SessionSummary[] {
    return [...this.sessions.values()].map((session) => this.summarize(session));
  }

  async create(params: HandlerParams<'session.new'>, actor: string): Promise<SessionSummary> {
    if (this.closed) throw new CapsuleError('conflict', 'the daemon is stopping');
    const open = [...this.sessions.values()].filter((session) => session.record.state !== 'lost').length;
    const {max} = this.options.settings;
    if (open >= max) {
      throw new CapsuleError('conflict', `${open === 1 ? '1 session is' : `${open} sessions are`} open, the most this daemon keeps (daemon.toml: [sessions] max = ${max})`, {hint: 'close one with `capsule session close ID` (see `capsule session list`), or raise [sessions] max in daemon.toml and restart the daemon'});
    }
    const project = params.project === undefined ? null : this.options.projects.config(params.project);
    if (params.project !== undefined && project === null) throw new CapsuleError('conflict', `project ${params.project} has no definition that loads`, {hint: `see \`capsule list ${params.project}\` for its error`});
    if (params.isolation === 'sandbox') {
      const found = await this.options.sandbox;
      if (!found.available) throw new CapsuleError('conflict', `sandboxed sessions cannot run on this machine: ${found.reason}`, {hint: found.hint});
    }
    const id = `ses_${randomBytes(5).toString('hex')}`;
    const now = new Date().toISOString();
    const runDir = join(this.options.paths.sessionSocketDir, id);
    const record: SessionRecord = {
      id,
      project: params.project ?? null,
      isolation: params.isolation,
      cwd: project !== null ? resolve(project.root) : params.isolation === 'sandbox' ? emptyDirectory(join(runDir, 'work')) : this.options.paths.home,
      runDir,
      logFile: join(this.options.paths.sessionLogsDir, `${id}.log`),
      pid: null,
      createdAt: now,
      lastUsedAt: now,
      executions: 0,
      replacements: 0,
      ramBytes: params.ram === undefined ? DEFAULT_SESSION_RAM_BYTES : sessionRam(params.ram),
      cpuMs: params.cpu === undefined ? null : positive(parseDuration(params.cpu, '--cpu'), '--cpu', '30s'),
      idleTimeoutMs: params.idleTimeout === undefined ? this.options.settings.idleTimeoutMs : positive(parseDuration(params.idleTimeout, '--idle-timeout'), '--idle-timeout', '15m'),
      maxAgeMs: params.maxAge === undefined ? this.options.settings.maxAgeMs : positive(parseDuration(params.maxAge, '--max-age'), '--max-age', '24h'),
      state: 'idle',
      reason: null,
      env: project === null ? {} : {CAPSULE_PROJECT: project.project.name},
      policy: params.isolation === 'sandbox' ? (project?.defaults.sandbox ?? DEFAULT_SANDBOX_POLICY) : null,
    };
    const session = this.track(record);
    try {
      await this.attach(session, await this.startHost(record, {warmOk: true}));
    } catch (error) {
      this.sessions.delete(id);
      throw new CapsuleError('failed', `session could not start: ${(error as Error).message}`, {hint: 'see `capsule daemon logs`'});
    }
    // Not waited for: an open costs no fsync. A daemon killed in the few milliseconds before the
    // write lands leaves a session the next daemon does not know (its process exits alone, later).
    this.persist().catch((error: unknown) => this.options.logger.error('sessions: cannot write sessions.json', error));
    this.options.audit.record({actor, kind: 'session.new', target: id, details: {project: record.project, isolation: record.isolation, pid: record.pid}});
    this.publish(session);
    return this.summarize(session);
  }

  async close(id: string, actor: string, reason = `closed by ${actor}`): Promise<SessionSummary> {
    const session = this.get(id);
    await this.end(session, reason);
    this.options.audit.record({actor, kind: 'session.close', target: id, details: {reason, executions: session.record.executions}});
    return this.summarize(session);
  }

  /**
   * Runs a snippet in its turn; `follow`ers get its output and questions as events meanwhile.
   * `gone` is its caller's connection: a snippet whose caller went away is dropped from the queue,
   * or interrupted if it runs (a question it asks could never be answered, and the session would
   * stay busy for good).
   */
  execute(params: HandlerParams<'session.execute'> & {execution: string}, gone?: AbortSignal): Promise<ExecutionResult> {
    const session = this.usable(params.id);
    const {execution} = params;
    const timeoutMs = params.timeout === undefined ? null : positive(parseDuration(params.timeout, 'timeout'), 'timeout', '30s');
    session.queued++;
    const abandon = () => {
      if (session.running?.id === execution) this.stop(session, session.running, 'interrupted', 'its caller went away');
    };
    gone?.addEventListener('abort', abandon, {once: true});
    const turn = session.tail
      .then(() => {
        if (gone?.aborted) throw new CapsuleError('conflict', 'its caller went away before its turn');
        return this.run(session, execution, params.code, timeoutMs);
      })
      .finally(() => gone?.removeEventListener('abort', abandon));
    session.tail = turn.catch(() => {});
    return turn.finally(() => session.queued--);
  }

  answer(id: string, inputId: string, text: string): boolean {
    const session = this.usable(id);
    if (!session.running?.openAsks.has(inputId)) return false;
    session.running.openAsks.delete(inputId);
    session.link?.send({type: 'answer', inputId, text});
    return true;
  }

  /** Interrupts the snippet running now (its process is replaced if it does not stop): its execution id, or null if none ran. */
  interrupt(id: string): string | null {
    const session = this.usable(id);
    const running = session.running;
    if (running === null) return null;
    this.stop(session, running, 'interrupted', 'the snippet was interrupted; the session keeps its names');
    return running.id;
  }

  async complete(id: string, expression: string): Promise<string[]> {
    const session = this.usable(id);
    const link = session.link;
    if (link === null) return [];
    const call = ++this.nextCall;
    return new Promise((resolve) => {
      // A busy namespace answers after its snippet: completion must not wait that long.
      const late = setTimeout(() => finish([]), 1_000);
      const finish = (names: string[]) => {
        clearTimeout(late);
        session.completions.delete(call);
        resolve(names);
      };
      session.completions.set(call, finish);
      link.send({type: 'complete', call, expression});
    });
  }

  /** At the daemon's stop: ends every session, or (a restart: `leave`) lets go of them for the next daemon. */
  async shutdown({leave = false}: {leave?: boolean} = {}): Promise<void> {
    this.closed = true;
    if (this.sweep !== null) clearInterval(this.sweep);
    const warm = await Promise.all(this.warm.splice(0));
    for (const link of warm) link?.kill();
    const sessions = [...this.sessions.values()];
    if (leave) {
      for (const session of sessions) session.link?.detach();
    } else {
      await Promise.all(sessions.map((session) => this.end(session, 'the daemon stopped')));
    }
    this.store.data.warm = [];
    await this.store.save();
  }

  private async run(session: Session, execution: string, code: string, timeoutMs: number | null): Promise<ExecutionResult> {
    const {record} = session;
    const base = {session: record.id, execution, stdout: '', stderr: '', replaced: false};
    let compiled;
    try {
      compiled = await compileSnippet(this.options.modules.transformer, code, record.executions + 1);
    } catch (error) {
      if (!(error instanceof SnippetSyntaxError)) throw error;
      const failure: SnippetFailure = {type: 'syntax', name: 'SyntaxError', message: error.message, stack: null, incomplete: (error.details as {incomplete: boolean}).incomplete};
      return {...base, filename: `snippet-${record.executions + 1}.ts`, durationMs: 0, error: failure};
    }
    // Its process may have gone while the snippet waited its turn or compiled.
    const link = session.link;
    if (link === null || session.closing) throw this.unusable(session);
    record.executions++;
    record.lastUsedAt = new Date().toISOString();
    const outcome = await new Promise<SnippetOutcome | null>((finish) => {
      const running: Running = {id: execution, filename: compiled.filename, map: compiled.map, callLine: compiled.callLine, stdout: '', stderr: '', outputBytes: 0, stoppedFor: null, force: null, openAsks: new Set(), finish};
      session.running = running;
      record.state = 'busy';
      this.publish(session);
      let timeout: NodeJS.Timeout | null = null;
      if (timeoutMs !== null) timeout = setTimeout(() => this.stop(session, running, 'timeout', `the snippet ran past its timeout of ${formatDuration(timeoutMs)}`), timeoutMs);
      const cpuAtStart = readCpuMs(link.pid);
      const watch = setInterval(() => {
        const rss = readRssBytes(link.pid);
        if (rss !== null && rss > record.ramBytes) return this.stop(session, running, 'out_of_memory', `the session's process used ${formatSize(rss)}, over its RAM limit of ${formatSize(record.ramBytes)}`);
        const cpu = readCpuMs(link.pid);
        if (record.cpuMs !== null && cpu !== null && cpuAtStart !== null && cpu - cpuAtStart > record.cpuMs) this.stop(session, running, 'compute_exhausted', `the snippet used more than its CPU limit of ${formatDuration(record.cpuMs)}`);
      }, WATCH_MS);
      running.finish = (settled) => {
        if (timeout !== null) clearTimeout(timeout);
        if (running.force !== null) clearTimeout(running.force);
        clearInterval(watch);
        finish(settled);
      };
      link.send({type: 'execute', id: execution, script: compiled.script, filename: compiled.filename});
    });
    const running = session.running!;
    session.running = null;
    record.lastUsedAt = new Date().toISOString();
    if (outcome === null && session.closing) {
      return {...base, filename: running.filename, durationMs: 0, stdout: running.stdout, stderr: running.stderr, error: {type: 'interrupted', name: 'Interrupted', message: 'the session was closed while the snippet ran', stack: null}};
    }
    if (outcome === null) {
      // Its process died (or was killed) under it: a fresh one takes its place.
      const {type, message} = running.stoppedFor ?? (link.diedOutOfMemory() ? {type: 'out_of_memory' as const, message: `the session's process ran out of heap (its RAM limit is ${formatSize(record.ramBytes)})`} : {type: 'crashed' as const, message: "the session's process exited while the snippet ran"});
      const replaced = await this.replace(session, `${type}: ${message}`);
      return {...base, filename: running.filename, durationMs: 0, stdout: running.stdout, stderr: running.stderr, error: {type, name: 'Error', message: `${message}; ${replaced ? 'the session was replaced by a fresh one (its names are gone)' : 'the session could not be replaced and is lost'}`, stack: null}, replaced: true};
    }
    record.state = 'idle';
    this.publish(session);
    const result: ExecutionResult = {...base, filename: running.filename, durationMs: outcome.durationMs, stdout: running.stdout, stderr: running.stderr};
    if (outcome.json !== undefined) result.value = outcome.json;
    if (outcome.inspected !== undefined) result.inspected = outcome.inspected;
    if (outcome.error !== undefined) {
      const stopped = outcome.error.code === INTERRUPTED_CODE ? (running.stoppedFor ?? {type: 'interrupted' as const, message: 'the snippet was interrupted; the session keeps its names'}) : null;
      // A path a sandboxed snippet found absent may be one the sandbox hides: named a denial if it exists out here.
      const error = namingHiddenPath(outcome.error);
      const stack = error.stack === null ? null : snippetStack(error.stack, running);
      result.error = stopped === null ? {type: 'error', name: error.name, message: error.message, stack} : {type: stopped.type, name: 'Interrupted', message: stopped.message, stack: null};
    }
    return result;
  }

  /** Stops a running snippet: SIGINT first (its namespace survives), the process killed and replaced if that does not end it. */
  private stop(session: Session, running: Running, type: SnippetErrorType, message: string): void {
    if (running.stoppedFor !== null || session.running !== running) return;
    running.stoppedFor = {type, message};
    const link = session.link;
    if (link === null) return;
    if (type === 'out_of_memory') return link.kill();
    link.signal('SIGINT');
    running.force = setTimeout(() => {
      if (session.running === running) link.kill();
    }, INTERRUPT_GRACE_MS);
  }

  private onHostMessage(session: Session, message: HostMessage): void {
    const {running} = session;
    switch (message.type) {
      case 'output': {
        if (running?.id === message.id && running.outputBytes < SNIPPET_OUTPUT_BYTES) {
          running.outputBytes += message.text.length;
          running[message.stream] += message.text;
        }
        if (this.options.bus.hasSubscribers('session') || this.options.bus.hasSubscribers(`session:${message.id}`)) {
          this.options.bus.publish('session.output', {session: session.record.id, execution: message.id, stream: message.stream, text: message.text}, [message.id]);
        }
        return;
      }
      case 'ask':
        running?.openAsks.add(message.inputId);
        this.options.bus.publish('session.ask', {session: session.record.id, execution: message.id, inputId: message.inputId, prompt: message.prompt}, [message.id]);
        return;
      case 'result':
        if (running?.id === message.id) running.finish(message.outcome);
        else if (session.adoptedRunning === message.id) {
          session.adoptedRunning = null;
          session.record.state = 'idle';
          this.publish(session);
        }
        return;
      case 'completions':
        session.completions.get(message.call)?.(message.names);
        return;
      case 'module':
        this.options.modules.read(message.url, message.format).then(
          (module) => session.link?.send({type: 'module', call: message.call, module}),
          (error: unknown) => session.link?.send({type: 'module', call: message.call, module: null, error: (error as Error).message}),
        );
        return;
    }
  }

  private async attach(session: Session, link: HostLink): Promise<void> {
    session.link = link;
    session.record.pid = link.pid;
    link.onMessage((message) => this.onHostMessage(session, message));
    void link.gone.then(() => this.onHostGone(session, link));
  }

  private onHostGone(session: Session, link: HostLink): void {
    if (session.link !== link || link.isDetached) return;
    session.link = null;
    for (const finish of session.completions.values()) finish([]);
    if (session.running !== null) return session.running.finish(null);
    if (session.closing || this.closed) return;
    // Idle and gone (killed from outside): a fresh process, and the trail says so.
    void this.replace(session, 'its process exited while idle');
  }

  /** A fresh process for a session whose process died; false (and the session lost) if none starts. */
  private async replace(session: Session, why: string): Promise<boolean> {
    const {record} = session;
    if (session.closing || this.closed) return false;
    session.link = null;
    try {
      await this.attach(session, await this.startHost(record, {warmOk: false}));
      record.replacements++;
      record.state = 'idle';
      this.options.audit.record({kind: 'session.replace', target: record.id, details: {why, pid: record.pid}});
      await this.persist();
      this.publish(session);
      return true;
    } catch (error) {
      this.lose(session, `its process could not be replaced after ${why}: ${(error as Error).message}`);
      return false;
    }
  }

  private lose(session: Session, reason: string): void {
    session.record.state = 'lost';
    session.record.reason = reason;
    session.record.pid = null;
    this.options.audit.record({kind: 'session.lost', target: session.record.id, details: {reason}});
    const lost = [...this.sessions.values()].filter((each) => each.record.state === 'lost');
    for (const oldest of lost.slice(0, Math.max(0, lost.length - MAX_LOST))) this.sessions.delete(oldest.record.id);
    void this.persist();
    this.publish(session);
  }

  private async end(session: Session, reason: string): Promise<void> {
    if (session.closing) return;
    session.closing = true;
    const {record} = session;
    const link = session.link;
    if (link !== null) {
      link.send({type: 'close'});
      const late = setTimeout(() => link.kill(), INTERRUPT_GRACE_MS);
      await link.gone;
      clearTimeout(late);
    }
    session.running?.finish(null);
    record.state = 'closed';
    record.reason = reason;
    record.pid = null;
    this.sessions.delete(record.id);
    rmSync(record.runDir, {recursive: true, force: true});
    rmSync(record.logFile, {force: true});
    await this.persist();
    this.publish(session);
  }

  private closeExpired(): void {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      const {record} = session;
      if (record.state !== 'idle' || session.queued > 0) continue;
      if (now - Date.parse(record.lastUsedAt) > record.idleTimeoutMs) void this.close(record.id, 'capsule', `idle for ${formatDuration(record.idleTimeoutMs)}`);
      else if (now - Date.parse(record.createdAt) > record.maxAgeMs) void this.close(record.id, 'capsule', `older than its maximum age of ${formatDuration(record.maxAgeMs)}`);
    }
  }

  /** A host for `record`: a warm one when one fits (process isolation, the default RAM), else a fresh one. */
  private async startHost(record: SessionRecord, {warmOk}: {warmOk: boolean}): Promise<HostLink> {
    const fits = warmOk && record.isolation === 'process' && record.ramBytes === DEFAULT_SESSION_RAM_BYTES;
    let link: HostLink | null = null;
    if (fits) {
      this.warmWanted = true;
      while (link === null && this.warm.length > 0) {
        link = await this.warm.shift()!;
        // One that died while it waited is no use.
        if (link !== null && (await Promise.race([link.gone.then(() => true), Promise.resolve(false)]))) link = null;
      }
      // After this open is answered: spawning takes the event loop for milliseconds.
      setImmediate(() => this.fillWarm());
    }
    if (link !== null) {
      const {pid} = link;
      this.store.data.warm = this.store.data.warm.filter((entry) => entry.pid !== pid);
      // The warm host's directory becomes the session's.
      record.runDir = link.runDir;
      record.logFile = link.logFile;
    } else {
      const sandbox = record.policy === null ? null : await this.options.sandbox;
      link = await this.startInTurn({
        runDir: record.runDir,
        logFile: record.logFile,
        distDir: this.options.distDir,
        ramBytes: record.ramBytes,
        sandbox: sandbox?.available ? {bwrap: sandbox.bwrap, root: record.cwd, policy: record.policy!} : null,
        orphanMs: this.orphanMs,
      });
    }
    link.send({type: 'init', cwd: record.cwd, env: record.env});
    return link;
  }

  private async startInTurn(spec: HostSpec): Promise<HostLink> {
    if (this.starting >= STARTS_AT_ONCE) await new Promise<void>((resolve) => this.waitingToStart.push(resolve));
    this.starting++;
    try {
      return await HostLink.start(spec);
    } finally {
      this.starting--;
      this.waitingToStart.shift()?.();
    }
  }

  private fillWarm(): void {
    while (!this.closed && this.warmWanted && this.warm.length < this.options.settings.warm) {
      const name = `w${randomBytes(5).toString('hex')}`;
      const spec: HostSpec = {
        runDir: join(this.options.paths.sessionSocketDir, name),
        logFile: join(this.options.paths.sessionLogsDir, `${name}.log`),
        distDir: this.options.distDir,
        ramBytes: DEFAULT_SESSION_RAM_BYTES,
        sandbox: null,
        orphanMs: this.orphanMs,
      };
      const started = this.startInTurn(spec).then(
        (link) => {
          this.store.data.warm.push({pid: link.pid});
          void this.store.save();
          return link;
        },
        (error: unknown) => {
          this.options.logger.warn(`a warm session did not start: ${(error as Error).message}`);
          return null;
        },
      );
      this.warm.push(started);
    }
  }

  private async adopt(): Promise<void> {
    const {data} = this.store;
    // Warm hosts of a daemon that died: nobody's, and cheap to start again.
    for (const {pid} of data.warm) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    data.warm = [];
    await Promise.all(
      data.sessions.map(async (record) => {
        const session = this.track(record);
        if (record.state === 'lost' || record.pid === null) return;
        const link = await HostLink.adopt({runDir: record.runDir, logFile: record.logFile, sandbox: record.policy === null ? null : {bwrap: '', root: record.cwd, policy: record.policy}}, record.pid);
        if (link === null) {
          record.state = 'lost';
          record.reason = `its process (pid ${record.pid}) was gone when the daemon started again`;
          record.pid = null;
          this.options.audit.record({kind: 'session.lost', target: record.id, details: {reason: record.reason}});
          return;
        }
        await this.attach(session, link);
        // Its last use was not written down each time: the restart counts as one, so it is not closed as idle at once.
        record.lastUsedAt = new Date().toISOString();
        session.adoptedRunning = link.running;
        record.state = link.running === null ? 'idle' : 'busy';
        this.options.audit.record({kind: 'session.adopt', target: record.id, details: {pid: link.pid}});
      }),
    );
    await this.persist();
  }

  private track(record: SessionRecord): Session {
    const session: Session = {record, link: null, running: null, tail: Promise.resolve(), queued: 0, adoptedRunning: null, completions: new Map(), closing: false};
    this.sessions.set(record.id, session);
    return session;
  }

  private get(id: string): Session {
    const session = this.sessions.get(id);
    if (session !== undefined) return session;
    throw new CapsuleError('not_found', `no session ${id}`, {hint: 'see `capsule session list`, or open one with `capsule session new`'});
  }

  private usable(id: string): Session {
    const session = this.get(id);
    if (session.link === null || session.closing) throw this.unusable(session);
    return session;
  }

  private unusable(session: Session): CapsuleError {
    const {record} = session;
    if (record.state === 'lost') return new CapsuleError('conflict', `session ${record.id} is lost: ${record.reason ?? 'its process is gone'}`, {hint: `open a new one with \`capsule session new\`, and forget this one with \`capsule session close ${record.id}\``});
    return new CapsuleError('conflict', `session ${record.id} is ${session.closing ? 'closing' : 'starting a fresh process'}`, {hint: 'try again in a moment, or see `capsule session list`'});
  }

  private persist(): Promise<void> {
    this.store.data.sessions = [...this.sessions.values()].filter((session) => !session.closing).map((session) => session.record);
    return this.store.save();
  }

  private publish(session: Session): void {
    // A summary reads /proc: twice a snippet, it is made only for someone listening.
    const {bus} = this.options;
    if (!bus.hasSubscribers('session') && !bus.hasSubscribers(`session:${session.record.id}`)) return;
    bus.publish('session.updated', this.summarize(session), [session.record.id]);
  }

  private summarize(session: Session): SessionSummary {
    const {record} = session;
    return {
      id: record.id,
      project: record.project,
      isolation: record.isolation,
      state: record.state,
      pid: record.pid,
      createdAt: record.createdAt,
      lastUsedAt: record.lastUsedAt,
      executions: record.executions,
      replacements: record.replacements,
      ramBytes: record.ramBytes,
      cpuMs: record.cpuMs,
      idleTimeoutMs: record.idleTimeoutMs,
      maxAgeMs: record.maxAgeMs,
      rssBytes: record.pid === null ? null : readRssBytes(record.pid),
      reason: record.reason,
    };
  }
}

/** Below it, a session's Node process (about 50 MB idle) would be over its limit at its first snippet. */
const MIN_SESSION_RAM_BYTES = 96 * 1024 * 1024;

function sessionRam(ram: string | number): number {
  const bytes = parseSize(ram, '--ram');
  if (bytes >= MIN_SESSION_RAM_BYTES) return bytes;
  throw badInput(`--ram ${ram} is too little for a session: its Node process alone takes about 50MB`, `give at least ${formatSize(MIN_SESSION_RAM_BYTES)}, e.g. --ram 256MB`);
}

function positive(value: number, flag: string, example: string): number {
  if (value > 0) return value;
  throw badInput(`${flag} must be more than zero`, `e.g. ${flag} ${example}`);
}

/**
 * Where a sandboxed session without a project works: the sandbox shows it its directory, and
 * CAPSULE_HOME (the daemon's keys, history and audit trail) must not be that directory.
 */
function emptyDirectory(path: string): string {
  mkdirSync(path, {recursive: true, mode: PRIVATE_DIR_MODE});
  return path;
}
