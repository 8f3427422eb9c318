import Tinypool from 'tinypool';
import type {Isolation} from '../runner/executor-api.js';
import {ThreadChannels} from './thread-channels.js';
import {detachProcessWorkers} from './worker-session.js';
import type {WorkerLease} from './lease.js';
import type {WorkerRegistry} from './workers.js';

const MIB = 1024 * 1024;

/** What separates one pool from another: the worker kind and its memory cap (set when a worker starts). */
export interface PoolClass {
  isolation: Isolation;
  ramBytes: number;
}

export interface PoolSetConfig {
  /** dist/task-worker.js */
  filename: string;
  /** Workers per pool at most: the daemon-wide parallelism, since any one class may take all of it. */
  maxWorkers: number;
  /** Workers each pool keeps started, so a run does not wait for one to boot. */
  warmWorkers: number;
  /** A worker idle this long is stopped, down to `warmWorkers`. */
  workerIdleMs: number;
  /** A pool without attempts for this long is closed with its warm workers. */
  poolIdleMs: number;
  /** Follows the pools' workers for the attempts on them. */
  registry: WorkerRegistry;
  /** A worker that failed while no attempt was on it (tinypool replaces it). */
  onError(error: Error): void;
}


interface Entry {
  pool: Tinypool;
  channels: ThreadChannels | null;
  active: number;
  idleTimer: NodeJS.Timeout | null;
}

/** One tinypool per isolation kind × memory cap, created on first use and closed when idle. */
export class PoolSet {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly config: PoolSetConfig) {}

  /** The pool for this class; release the lease when the attempt is over. */
  lease(poolClass: PoolClass): WorkerLease {
    const key = keyOf(poolClass);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = {pool: this.createPool(poolClass), channels: poolClass.isolation === 'thread' ? new ThreadChannels() : null, active: 0, idleTimer: null};
      this.entries.set(key, entry);
    }
    const held = entry;
    if (held.idleTimer !== null) clearTimeout(held.idleTimer);
    held.idleTimer = null;
    held.active++;
    this.fitWorkerCap(held);
    let released = false;
    const {channels} = held;
    const {pool} = held;
    const {registry} = this.config;
    return {
      run: (payload, options) => pool.run(payload, options),
      worker: (id) => registry.find(pool, poolClass.isolation, id),
      onRequest: () => {},
      onDenied: () => {},
      // The attempt may land on any worker, or on one the pool starts for it.
      threads: channels === null ? null : {channels, needsPort: channels.needsPort(pool.threads.map((worker) => worker.threadId), held.active)},
      release: () => {
        if (released) return;
        released = true;
        held.active--;
        this.fitWorkerCap(held);
        if (held.active === 0) held.idleTimer = setTimeout(() => this.closeIdle(key, held), this.config.poolIdleMs).unref();
      },
    };
  }

  /** Replaces every worker once it is free: workers cache the modules they imported. */
  async recycle(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.pool.recycleWorkers()));
  }

  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) if (entry.idleTimer !== null) clearTimeout(entry.idleTimer);
    await Promise.all(entries.map((entry) => entry.pool.destroy()));
    for (const entry of entries) entry.channels?.close();
  }

  /**
   * tinypool starts one more worker for every task that finds no booted worker free, without
   * counting the workers still booting: in a burst of short runs each attempt starts a worker until
   * the first ones are up, and booting them slows everything else (a daemon with 2 attempts at a
   * time reached 38 threads). Capping the pool at the attempts it holds keeps one worker per
   * attempt. tinypool reads `options.maxThreads` on every run and sized its worker ids to the
   * maximum it was built with, so lowering it afterwards is safe.
   */
  private fitWorkerCap(entry: Entry): void {
    const {maxWorkers, warmWorkers} = this.config;
    entry.pool.options.maxThreads = Math.min(maxWorkers, Math.max(warmWorkers, entry.active, 1));
  }

  private closeIdle(key: string, entry: Entry): void {
    if (entry.active > 0 || this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    entry.pool
      .destroy()
      .catch((error: unknown) => this.config.onError(error as Error))
      .finally(() => entry.channels?.close());
  }

  private createPool({isolation, ramBytes}: PoolClass): Tinypool {
    const {filename, maxWorkers, warmWorkers, workerIdleMs} = this.config;
    const heapMb = Number.isFinite(ramBytes) ? Math.max(1, Math.floor(ramBytes / MIB)) : null;
    // Before the pool forks its first worker.
    if (isolation === 'process') detachProcessWorkers();
    const pool = new Tinypool({
      filename,
      minThreads: Math.min(warmWorkers, maxWorkers),
      maxThreads: maxWorkers,
      idleTimeout: workerIdleMs,
      concurrentTasksPerWorker: 1,
      // Workers start with an empty environment; each attempt sets exactly the one it declares.
      env: {},
      ...(isolation === 'thread'
        ? {
            runtime: 'worker_threads',
            execArgv: [],
            // With atomics an idle worker sleeps in Atomics.wait: its event loop stands still
            // between attempts, so a kept-alive socket the server closed meanwhile (or undici's
            // own idle timer for it) goes unseen, and the next attempt's fetch sends on it and
            // fails "other side closed". Waiting on the message port keeps the loop turning, as
            // in plain Node.
            useAtomics: false,
            ...(heapMb === null ? {} : {resourceLimits: {maxOldGenerationSizeMb: heapMb}}),
          }
        : {
            runtime: 'child_process',
            execArgv: heapMb === null ? [] : [`--max-old-space-size=${heapMb}`],
            // Structured clone over IPC, as threads get: Dates, Maps, undefined survive.
            serialization: 'advanced',
          }),
    });
    pool.on('error', (error: Error) => this.config.onError(error));
    return pool;
  }
}

function keyOf({isolation, ramBytes}: PoolClass): string {
  return `${isolation}:${Number.isFinite(ramBytes) ? ramBytes : 'unlimited'}`;
}
