import {availableParallelism} from 'node:os';
import {join, resolve} from 'node:path';
import type {AttemptHooks, AttemptOutcome, AttemptRequest, Executor, Isolation, OrphanedAttempt, StopSignal} from '../runner/executor-api.js';
import {isSameWorker} from '../runner/recovery.js';
import {attemptMarker, endAttemptProcesses} from '../worker/attempt-processes.js';
import {readStat} from '../worker/procfs.js';
import {Attempt} from './attempt.js';
import {KernelCpuLimit} from './cpu-limit.js';
import {packageDistDir} from './dist-files.js';
import {describeStop} from './failure.js';
import {ModuleSources} from './module-sources.js';
import {PoolSet} from './pools.js';
import {Slots} from './slots.js';
import {ThreadMemoryProbe} from './thread-memory.js';
import {WorkerRegistry} from './workers.js';
import type {WorkerLease} from './lease.js';
import type {SandboxAvailability} from '../sandbox/availability.js';
import {sandboxLease} from '../sandbox/sandbox-lease.js';
import {SandboxPool, type SandboxSpec} from '../sandbox/sandbox-pool.js';
import {SandboxDiscoveryHost} from '../sandbox/sandbox-discovery.js';
import type {DiscoveryHost} from './discover.js';
import {CapsuleError} from '../../src/lib/errors.js';

/** How long what an earlier daemon's attempts left running may take to be gone before its runs are tried again anyway. */
const ORPHANS_END_MS = 10_000;

export interface ExecutorOptions {
  /** Attempts running at once across every pool: the daemon-wide parallelism. @default os.availableParallelism() */
  maxParallel?: number;
  /** Workers each pool keeps started, so a run does not pay a worker's start. @default 1 */
  warmWorkers?: number;
  /** A worker idle this long is stopped, down to `warmWorkers`. @default 30_000 */
  workerIdleMs?: number;
  /** A pool (an isolation kind × memory cap) unused this long is closed, warm workers included. @default 300_000 */
  poolIdleMs?: number;
  /** Between aborting `ctx.signal` (timeout, cancel) and terminating the worker. @default 1_000 */
  abortGraceMs?: number;
  /** How often a running attempt's CPU time and memory are sampled. @default 50 */
  watchdogIntervalMs?: number;
  /** Directory holding task-worker.js and loader-hooks.js. @default capsule's dist/ */
  distDir?: string;
  /** Where workers' user modules come from (closed with the executor). @default a ModuleSources of its own */
  modules?: ModuleSources;
  /** Something failed outside any attempt (an idle worker crashed, a hook threw). @default ignored */
  onError?: (error: Error) => void;
  /** Sandbox isolation. @default none: sandboxed attempts fail `sandbox_unavailable` */
  sandbox?: SandboxOptions;
}

export interface SandboxOptions {
  /** Whether bubblewrap works here, probed once (sandbox/availability.ts). */
  availability: Promise<SandboxAvailability>;
  /** Where the egress proxies' sockets are made. */
  socketDir: string;
  /** Spares kept started, one per spec at most. @default maxParallel */
  maxSpares?: number;
  /** A spare not taken for this long is ended. @default 300_000 */
  spareIdleMs?: number;
}

/** The executor the daemon holds: the runner's `Executor` plus pool management. */
export interface TaskExecutor extends Executor {
  readonly maxParallel: number;
  /** Attempts running now (at most `maxParallel`; more `execute` calls wait for a slot). */
  readonly running: number;
  /** The user modules its workers load: what discovery reads, and each project's last good definition. */
  readonly modules: ModuleSources;
  /** Starts the pool of this class now, so the first attempt finds a warm worker. */
  warm(isolation: Isolation, ramBytes: number): void;
  /** Starts a spare sandbox for this spec now, so the first attempt does not wait for one; not when the spares are all in use. */
  warmSandbox(spec: SandboxSpec): void;
  /** Where a project that sandboxes its tasks by default loads its entry modules: a sandbox each time. Throws a CapsuleError where none can be made. */
  sandboxDiscovery(namespace: string, spec: SandboxSpec): Promise<() => DiscoveryHost>;
  /** Replaces every worker once it is free; call it when a project's modules changed (workers cache imports). */
  reload(): Promise<void>;
}

export function createExecutor(options: ExecutorOptions = {}): TaskExecutor {
  return new PooledExecutor(options);
}

class PooledExecutor implements TaskExecutor {
  readonly maxParallel: number;
  readonly modules: ModuleSources;
  private readonly slots: Slots;
  private readonly pools: PoolSet;
  private readonly cpuLimit = new KernelCpuLimit();
  private readonly registry = new WorkerRegistry();
  /** Made once bubblewrap is found to work. */
  private readonly sandboxes: Promise<SandboxPool | SandboxAvailability & {available: false}>;
  private readonly memoryProbe = new ThreadMemoryProbe();
  private readonly attempts = new Map<Attempt, Promise<AttemptOutcome>>();
  private readonly closing = new AbortController();
  private readonly abortGraceMs: number;
  private readonly watchdogIntervalMs: number;
  private readonly onError: (error: Error) => void;

  constructor(options: ExecutorOptions) {
    this.maxParallel = options.maxParallel ?? availableParallelism();
    this.modules = options.modules ?? new ModuleSources();
    this.slots = new Slots(this.maxParallel);
    this.abortGraceMs = options.abortGraceMs ?? 1_000;
    this.watchdogIntervalMs = options.watchdogIntervalMs ?? 50;
    this.onError = options.onError ?? (() => {});
    this.pools = new PoolSet({
      filename: join(options.distDir ?? packageDistDir(), 'task-worker.js'),
      maxWorkers: this.maxParallel,
      warmWorkers: options.warmWorkers ?? 1,
      workerIdleMs: options.workerIdleMs ?? 30_000,
      poolIdleMs: options.poolIdleMs ?? 300_000,
      registry: this.registry,
      onError: this.onError,
    });
    const distDir = options.distDir ?? packageDistDir();
    const {sandbox} = options;
    this.sandboxes =
      sandbox === undefined
        ? Promise.resolve({available: false, reason: 'this executor was made without sandbox support', hint: 'a bug in capsule if you see this from the daemon'})
        : sandbox.availability.then((found) =>
            found.available
              ? new SandboxPool({bwrap: found.bwrap, distDir, socketDir: sandbox.socketDir, maxSpares: sandbox.maxSpares ?? this.maxParallel, spareIdleMs: sandbox.spareIdleMs ?? 300_000})
              : found,
          );
  }

  get running(): number {
    return this.slots.inUse;
  }

  async execute(request: AttemptRequest, hooks: AttemptHooks, signal: StopSignal): Promise<AttemptOutcome> {
    if (this.closing.signal.aborted) return stopped('interrupted', request);
    const sandboxes = request.isolation === 'sandbox' ? await this.sandboxes : null;
    // Never run it unsandboxed instead: it fails now, saying how to make the sandbox possible.
    if (sandboxes !== null && !(sandboxes instanceof SandboxPool)) return unavailable(sandboxes);
    let release = this.slots.tryAcquire();
    if (release === null) {
      try {
        release = await this.slots.acquire([signal, this.closing.signal]);
      } catch {
        return stopped(signal.aborted ? 'cancelled' : 'interrupted', request);
      }
    }
    let lease: WorkerLease;
    try {
      lease = sandboxes === null ? this.pools.lease({isolation: request.isolation, ramBytes: request.limits.ramBytes}) : await this.sandboxLease(sandboxes, request);
    } catch (error) {
      release();
      return crashed(`the sandbox could not be started: ${(error as Error).message}`);
    }
    const attempt = new Attempt(request, hooks, lease, {
      cpuLimit: this.cpuLimit,
      abortGraceMs: this.abortGraceMs,
      watchdogIntervalMs: this.watchdogIntervalMs,
      memoryProbe: this.memoryProbe,
      modules: this.modules,
      onError: this.onError,
    });
    const onCancel = () => attempt.stop('cancelled');
    try {
      if (signal.aborted) return stopped('cancelled', request);
      signal.addEventListener('abort', onCancel);
      const outcome = attempt.run();
      this.attempts.set(attempt, outcome);
      return await outcome;
    } catch (error) {
      // execute() never rejects: the runner records the attempt as crashed instead.
      this.onError(error as Error);
      return crashed(`the executor failed: ${(error as Error).message}`, (error as Error).stack ?? null);
    } finally {
      signal.removeEventListener('abort', onCancel);
      this.attempts.delete(attempt);
      lease.release();
      release();
    }
  }

  endOrphans(orphans: OrphanedAttempt[]): Promise<{ended: number; left: number}> {
    // A worker leads its process group, whose members go with it; its pid counts only while it is the recorded process.
    const workers = orphans.flatMap(({worker}) => (worker !== null && isSameWorker(worker, readStat(worker.pid)) ? [worker.pid] : []));
    const markers = orphans.map(({runId, attempt}) => attemptMarker(runId, attempt));
    return endAttemptProcesses({markers, groups: workers, pids: workers}, ORPHANS_END_MS);
  }

  warm(isolation: Isolation, ramBytes: number): void {
    if (!this.closing.signal.aborted && isolation !== 'sandbox') this.pools.lease({isolation, ramBytes}).release();
  }

  warmSandbox(spec: SandboxSpec): void {
    void this.sandboxes.then((pool) => {
      if (pool instanceof SandboxPool && !this.closing.signal.aborted) pool.warm(spec, {evict: false});
    });
  }

  async sandboxDiscovery(namespace: string, spec: SandboxSpec): Promise<() => DiscoveryHost> {
    const pool = await this.sandboxes;
    if (!(pool instanceof SandboxPool)) {
      throw new CapsuleError('config_invalid', `${namespace} sandboxes its tasks by default ([defaults] isolation = "sandbox"), so its modules load in a sandbox too, and none can be made here: ${pool.reason}`, {hint: pool.hint});
    }
    return () => new SandboxDiscoveryHost(pool.take(spec), namespace, spec.root, spec.policy);
  }

  private async sandboxLease(pool: SandboxPool, request: AttemptRequest): Promise<WorkerLease> {
    if (request.sandbox === null) throw new Error('a sandboxed attempt came without its policy (a bug in capsule)');
    const sandbox = await pool.take({root: resolve(request.cwd), policy: request.sandbox, ramBytes: request.limits.ramBytes});
    return sandboxLease(sandbox, await sandbox.hostPid);
  }

  async reload(): Promise<void> {
    const sandboxes = await this.sandboxes;
    // A spare mounted what its project (and Capsule's dist/) were when it started.
    if (sandboxes instanceof SandboxPool) sandboxes.retireSpares();
    await this.pools.recycle();
  }

  async close(): Promise<void> {
    this.closing.abort();
    for (const attempt of this.attempts.keys()) attempt.stop('interrupted');
    await Promise.allSettled(this.attempts.values());
    await this.pools.close();
    const sandboxes = await this.sandboxes;
    if (sandboxes instanceof SandboxPool) await sandboxes.close();
    this.memoryProbe.close();
    await this.cpuLimit.close();
    await this.modules.close();
  }
}

function unavailable({reason, hint}: {reason: string; hint: string}): AttemptOutcome {
  return {ok: false, error: {type: 'sandbox_unavailable', message: `sandboxed tasks cannot run on this machine: ${reason}; ${hint}`, stack: null}, fatal: false, cpuMs: null, peakMemoryMb: null};
}

function crashed(message: string, stack: string | null = null): AttemptOutcome {
  return {ok: false, error: {type: 'crashed', message, stack}, fatal: false, cpuMs: null, peakMemoryMb: null};
}

function stopped(type: 'cancelled' | 'interrupted', request: AttemptRequest): AttemptOutcome {
  return {ok: false, error: {type, message: describeStop(type, request.limits, {cpuMs: null, memoryBytes: null}), stack: null}, fatal: false, cpuMs: null, peakMemoryMb: null};
}
