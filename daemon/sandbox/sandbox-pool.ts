import {mkdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import type {SandboxPolicy} from '../../src/config/sandbox-policy.js';
import {startEgressProxy} from './egress-proxy.js';
import {nodeModulesAbove, nodeRuntime, type NodeRuntime} from './runtime-files.js';
import {SandboxProcess} from './sandbox-process.js';

/** What makes two sandboxes interchangeable: a spare made for one spec serves any attempt of it. */
export interface SandboxSpec {
  /** The project directory, canonical. */
  root: string;
  policy: SandboxPolicy;
  ramBytes: number;
}

export interface SandboxPoolOptions {
  /** bubblewrap's path, as the availability probe found it. */
  bwrap: string;
  /** Capsule's dist/. */
  distDir: string;
  /** Where the egress proxies' sockets are made (CAPSULE_HOME/sandbox, mode 0700). */
  socketDir: string;
  /** Spares kept in all, one per spec at most; the least recently used goes first. */
  maxSpares: number;
  /** A spare not taken for this long is ended. */
  spareIdleMs: number;
}

/** A spare, from the moment it is started: taking one that is still starting waits for it rather than starting another. */
interface Spare {
  ready: Promise<SandboxProcess>;
  idle: NodeJS.Timeout | null;
}

let lastSocket = 0;
/** How long a closing pool waits for its sandboxes to end before it kills bubblewrap itself. */
const CLOSE_WAIT_MS = 5_000;

/**
 * Sandboxes for attempts, each used once: a fresh process per attempt keeps runs apart, and a
 * spare started ahead of need (per spec) hides the start. Taking a spare starts the next one.
 */
export class SandboxPool {
  /** By spec key, in the order they were started (a Map keeps insertion order). */
  private readonly spares = new Map<string, Spare>();
  private readonly live = new Set<SandboxProcess>();
  private readonly starting = new Set<Promise<unknown>>();
  private runtime: NodeRuntime | null = null;
  private closed = false;

  constructor(private readonly options: SandboxPoolOptions) {
    // One daemon per home: what is there is an earlier one's, which died before removing it.
    rmSync(options.socketDir, {recursive: true, force: true});
    mkdirSync(options.socketDir, {recursive: true, mode: 0o700});
  }

  /** A sandbox for one attempt; a spare for the same spec takes its place. */
  async take(spec: SandboxSpec): Promise<SandboxProcess> {
    const key = keyOf(spec);
    const spare = this.spares.get(key);
    this.spares.delete(key);
    if (spare?.idle) clearTimeout(spare.idle);
    this.warm(spec);
    const sandbox = spare === undefined ? null : await spare.ready.catch(() => null);
    return sandbox !== null && sandbox.exit === null ? sandbox : this.start(spec);
  }

  /** Starts a spare for this spec, unless there is one; `evict: false` unless another can be kept beside the ones there are. */
  warm(spec: SandboxSpec, {evict = true} = {}): void {
    const key = keyOf(spec);
    if (this.closed || this.options.maxSpares === 0 || this.spares.has(key)) return;
    if (!evict && this.spares.size >= this.options.maxSpares) return;
    const spare: Spare = {ready: this.start(spec), idle: null};
    this.spares.set(key, spare);
    spare.ready.then(
      () => {
        if (this.spares.get(key) === spare) spare.idle = setTimeout(() => this.retire(key), this.options.spareIdleMs).unref();
      },
      () => {
        if (this.spares.get(key) === spare) this.spares.delete(key);
      },
    );
    for (const oldest of this.spares.keys()) {
      if (this.spares.size <= this.options.maxSpares) break;
      this.retire(oldest);
    }
  }

  /** Ends every spare: the next attempts start sandboxes afresh. */
  retireSpares(): void {
    for (const key of [...this.spares.keys()]) this.retire(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retireSpares();
    // One still starting refuses to spawn once it sees `closed`.
    await Promise.allSettled(this.starting);
    const live = [...this.live];
    const gone = live.map((sandbox) => new Promise<void>((resolve) => (sandbox.exit !== null ? resolve() : sandbox.child.once('exit', () => resolve()))));
    for (const sandbox of live) sandbox.kill();
    // Whatever keeps one from ending, the daemon's stop does not wait for it forever.
    const late = setTimeout(() => {
      for (const sandbox of live) if (sandbox.exit === null) sandbox.child.kill('SIGKILL');
    }, CLOSE_WAIT_MS);
    await Promise.all(gone);
    clearTimeout(late);
  }

  private start(spec: SandboxSpec): Promise<SandboxProcess> {
    const started = this.spawn(spec);
    this.starting.add(started);
    void started.finally(() => this.starting.delete(started)).catch(() => {});
    return started;
  }

  private async spawn(spec: SandboxSpec): Promise<SandboxProcess> {
    if (this.closed) throw new Error('the executor is closing');
    this.runtime ??= nodeRuntime();
    const socketPath = join(this.options.socketDir, `${process.pid}-${++lastSocket}.sock`);
    const proxy = await startEgressProxy({socketPath, hosts: spec.policy.hosts, onRequest: () => {}});
    if (this.closed) {
      await proxy.close();
      throw new Error('the executor is closing');
    }
    const sandbox = new SandboxProcess(
      {
        bwrap: this.options.bwrap,
        runtime: this.runtime,
        distDir: this.options.distDir,
        root: spec.root,
        nodeModules: nodeModulesAbove(spec.root),
        policy: spec.policy,
        egressSocket: socketPath,
        ramBytes: spec.ramBytes,
      },
      proxy,
    );
    this.live.add(sandbox);
    sandbox.child.once('exit', () => this.live.delete(sandbox));
    return sandbox;
  }

  private retire(key: string): void {
    const spare = this.spares.get(key);
    if (spare === undefined) return;
    this.spares.delete(key);
    if (spare.idle !== null) clearTimeout(spare.idle);
    void spare.ready.then((sandbox) => sandbox.kill(), () => {});
  }
}

function keyOf(spec: SandboxSpec): string {
  return JSON.stringify([spec.root, spec.ramBytes, spec.policy]);
}
