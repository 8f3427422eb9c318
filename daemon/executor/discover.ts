import {join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {Worker} from 'node:worker_threads';
import {CapsuleError} from '../../src/lib/errors.js';
import {formatDuration} from '../../src/lib/duration.js';
import type {DiscoveredTask} from '../runner/executor-api.js';
import {discoveryRequest, type DiscoveryAnswer, type DiscoveryJobMessage, type DiscoveryMessage, type DiscoveryReply} from '../worker/discover.js';
import {toSentError, type SentError} from '../worker/protocol.js';
import {packageDistDir} from './dist-files.js';
import {expandEntries} from './entry-files.js';
import type {DiscoveryCache} from './discovery-cache.js';
import {DiscoveryWorkers, isUnder, type DiscoveryJob, type DiscoveryThread} from './discovery-workers.js';
import {ModuleSources, type ModuleSnapshot} from './module-sources.js';

export interface DiscoveryOptions {
  /** Reads (and compiles) the modules. @default a ModuleSources of this discovery's own, closed when it ends */
  modules?: ModuleSources;
  /** Longest a project's entry modules may take to load. @default 30_000 */
  timeoutMs?: number;
  /** Heap cap of the loading worker, MB. @default 512 */
  heapMb?: number;
  /** Directory holding task-worker.js and loader-hooks.js. @default capsule's dist/ */
  distDir?: string;
  /** Ends the discovery (its worker terminated) when it aborts: a daemon stopping while projects load. */
  signal?: AbortSignal | undefined;
  /** The start-up batch's shared threads (sharedDiscoveryWorkers); without, the discovery runs in a worker of its own. */
  workers?: DiscoveryWorkers | undefined;
  /** Where the modules load instead of a worker thread (a sandbox, for a project whose code is not trusted); alone, never in a shared thread. */
  host?: (() => DiscoveryHost) | undefined;
  /** Where a successful discovery is stored; `reuse`: a stored one that still fits the files is returned without loading anything. */
  cache?: {store: DiscoveryCache; reuse: boolean} | undefined;
}

/** What a project's entry modules declare, and the sources of every module they loaded (to keep as its last good definition). */
export interface Discovery {
  tasks: DiscoveredTask[];
  modules: ModuleSnapshot;
  /**
   * Every file the worker asked the daemon for (the entry modules and what they import, but what
   * Node loads itself), with the sha256 of the bytes it was served from: the cache's key.
   */
  hashes: Record<string, string>;
}

/**
 * Loads the project's entry modules in a discovery worker thread (never the daemon's own: a
 * module's top level is user code) and lists every task() they export. A module that throws
 * while loading fails the discovery with its file and stack; a worker of its own, and whatever
 * the modules started, is terminated either way (a shared one: see DiscoveryWorkers). Modules load with an empty environment.
 */
export async function discoverTasks(root: string, entryGlobs: readonly string[], options: DiscoveryOptions = {}): Promise<Discovery> {
  const files = await expandEntries(root, entryGlobs);
  if (files.length === 0) return {tasks: [], modules: new Map(), hashes: {}};
  const {cache} = options;
  const cached = cache?.reuse ? await cache.store.lookup(root, files) : null;
  if (cached) return cached;
  const discovery = await discoverWith(root, files, options);
  cache?.store.store(root, files, discovery);
  return discovery;
}

async function discoverWith(root: string, files: string[], options: DiscoveryOptions): Promise<Discovery> {
  if (options.modules !== undefined) return discoverIn(root, files, options.modules, options);
  const modules = new ModuleSources();
  try {
    return await discoverIn(root, files, modules, options);
  } finally {
    await modules.close();
  }
}

function discoverIn(root: string, files: string[], modules: ModuleSources, options: DiscoveryOptions): Promise<Discovery> {
  const job: DiscoveryJob = {root, files, modules, timeoutMs: options.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS, signal: options.signal};
  const {host} = options;
  if (host !== undefined) return new DiscoveryWorkers(0, () => new DiscoveryWorkerThread(host())).discover(job);
  return (options.workers ?? loneWorkers(options)).discover(job);
}

export const DEFAULT_DISCOVERY_TIMEOUT_MS = 30_000;

/** Workers with no thread to share: every discovery runs alone. */
function loneWorkers(options: Pick<DiscoveryOptions, 'distDir' | 'heapMb'>): DiscoveryWorkers {
  return new DiscoveryWorkers(0, () => new DiscoveryWorkerThread(new ThreadHost(options)));
}

/** The discovery workers of a start-up batch: `size` threads shared by the projects it loads (see DiscoveryWorkers). */
export function sharedDiscoveryWorkers(size: number, options: Pick<DiscoveryOptions, 'distDir' | 'heapMb'> = {}): DiscoveryWorkers {
  return new DiscoveryWorkers(size, () => new DiscoveryWorkerThread(new ThreadHost(options)));
}

/**
 * Where a discovery's modules load: a worker thread of the daemon's (ThreadHost), or a sandbox
 * for a project whose code is not trusted (sandbox/sandbox-discovery.ts).
 */
export interface DiscoveryHost {
  postMessage(message: DiscoveryJobMessage | DiscoveryAnswer): void;
  /** Each message of the loading, and, once, why it ended if it ends on its own. */
  listen(onMessage: (message: DiscoveryMessage) => void, onEnd: (error: CapsuleError) => void): void;
  /** Throws if the loading may not be given this module (a sandbox gets only what it could read itself). */
  admit(url: string): Promise<void>;
  /** A module's failure as the project's error says it (a sandbox names the path it hid). */
  explain(error: SentError): SentError;
  terminate(): Promise<void>;
}

/** A throwaway worker thread (never the daemon's own: a module's top level is user code). */
class ThreadHost implements DiscoveryHost {
  private readonly worker: Worker;

  constructor(options: Pick<DiscoveryOptions, 'distDir' | 'heapMb'>) {
    this.worker = new Worker(join(options.distDir ?? packageDistDir(), 'task-worker.js'), {
      workerData: discoveryRequest(),
      env: {},
      execArgv: [],
      resourceLimits: {maxOldGenerationSizeMb: options.heapMb ?? 512},
      // What modules print while loading is not the daemon's output.
      stdout: true,
      stderr: true,
    });
    this.worker.stdout.resume();
    this.worker.stderr.resume();
  }

  postMessage(message: DiscoveryJobMessage | DiscoveryAnswer): void {
    this.worker.postMessage(message);
  }

  listen(onMessage: (message: DiscoveryMessage) => void, onEnd: (error: CapsuleError) => void): void {
    this.worker.on('message', onMessage);
    this.worker.once('error', (error) => onEnd(loadFailure(`loading the entry modules failed: ${error.message}`, 'fix the error in the module named by the stack', error.stack)));
    this.worker.once('exit', (code) => onEnd(loadFailure(`a module ended the loading worker (exit code ${code}) while the entry modules loaded`, 'do not call process.exit at the top level of an entry module')));
  }

  async admit(): Promise<void> {}

  explain(error: SentError): SentError {
    return error;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/** A discovery worker, taking one project at a time, on its host. */
export class DiscoveryWorkerThread implements DiscoveryThread {
  lost = false;
  strayed = false;
  readonly loaded = new Set<string>();
  /** The job under way: where its worker's messages go, and what ends it if the worker does. */
  private current: {onMessage(message: DiscoveryMessage): void; fail(error: CapsuleError): void} | null = null;

  constructor(private readonly host: DiscoveryHost) {
    host.listen(
      (message) => this.current?.onMessage(message),
      (error) => this.end(error),
    );
  }

  async run({root, files, modules, timeoutMs, signal}: DiscoveryJob): Promise<Discovery> {
    if (this.lost) throw new Error('capsule: a lost discovery worker was given a job');
    const snapshot: ModuleSnapshot = new Map();
    const hashes: Record<string, string> = {};
    let timer: NodeJS.Timeout | undefined;
    const settled = new AbortController();
    try {
      const reply = await new Promise<DiscoveryReply>((resolve, reject) => {
        const fail = (error: CapsuleError) => {
          this.lost = true;
          reject(error);
        };
        timer = setTimeout(() => fail(loadFailure(`loading the entry modules took longer than ${formatDuration(timeoutMs)}`, 'a module waits at its top level (top-level await, a server started at import?); move that work into a task')), timeoutMs);
        this.current = {
          fail,
          onMessage: (message) => {
            if (message.t === 'discovered') {
              resolve(message.reply);
              return;
            }
            if (message.url.startsWith('file:')) {
              const path = fileURLToPath(message.url);
              this.loaded.add(path);
              if (!isUnder(path, root)) this.strayed = true;
            }
            const send = (answer: DiscoveryAnswer) => this.host.postMessage(answer);
            this.host.admit(message.url).then(
              () => answerModule(message, modules, snapshot, hashes, send),
              (error: unknown) => send({call: message.call, ok: false, error: toSentError(error)}),
            );
          },
        };
        if (signal?.aborted) fail(stopped());
        signal?.addEventListener('abort', () => fail(stopped()), {once: true, signal: settled.signal});
        this.host.postMessage({t: 'discover', files} satisfies DiscoveryJobMessage);
      });
      if (!reply.ok) {
        const error = this.host.explain(reply.error);
        throw loadFailure(`${relative(root, reply.file)} failed to load: ${error.message}`, "fix the error in that module (its stack is in the details)", error.stack, reply.file);
      }
      checkUniqueNames(root, reply.tasks);
      return {tasks: reply.tasks, modules: snapshot, hashes};
    } finally {
      clearTimeout(timer);
      settled.abort();
      this.current = null;
    }
  }

  async terminate(): Promise<void> {
    this.lost = true;
    await this.host.terminate();
  }

  /** The worker ended (or threw outside any import): the job under way fails with why, and no other is given to it. */
  private end(error: CapsuleError): void {
    this.lost = true;
    this.current?.fail(error);
  }
}

/**
 * Reads a module the discovery imports from disk, and notes its source (it is the definition the
 * project would run) and the hash of the bytes that source came from (the cache's key).
 */
function answerModule(request: Extract<DiscoveryMessage, {t: 'module'}>, modules: ModuleSources, snapshot: ModuleSnapshot, hashes: Record<string, string>, send: (answer: DiscoveryAnswer) => void): void {
  const {call, url, format} = request;
  modules.readHashed(url, format).then(
    ({module, sha256}) => {
      if (module !== null) snapshot.set(url, module);
      if (sha256 !== null) hashes[fileURLToPath(url)] = sha256;
      send({call, ok: true, module});
    },
    (error: unknown) => send({call, ok: false, error: toSentError(error)}),
  );
}

function stopped(): CapsuleError {
  return new CapsuleError('conflict', 'the daemon is stopping: the project was not loaded', {hint: 'start the daemon again: `capsule daemon start`'});
}

export function loadFailure(message: string, hint: string, stack: string | null = null, file: string | null = null): CapsuleError {
  return new CapsuleError('config_invalid', message, {hint, details: {file, stack}});
}

function checkUniqueNames(root: string, tasks: readonly DiscoveredTask[]): void {
  const seen = new Map<string, DiscoveredTask>();
  for (const task of tasks) {
    const first = seen.get(task.name);
    if (first === undefined) {
      seen.set(task.name, task);
      continue;
    }
    const where = (t: DiscoveredTask) => `${relative(root, t.modulePath)} (export ${t.exportName})`;
    throw new CapsuleError('config_invalid', `task "${task.name}" is declared twice: in ${where(first)} and in ${where(task)}`, {
      hint: 'give one of them another name with task({name: "..."}, fn)',
    });
  }
}
