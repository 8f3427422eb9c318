import {sep} from 'node:path';
import type {Discovery} from './discover.js';
import type {ModuleSources} from './module-sources.js';

/** One project's discovery, as a discovery worker takes it. */
export interface DiscoveryJob {
  root: string;
  /** Absolute paths of its entry modules. */
  files: string[];
  modules: ModuleSources;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** A discovery worker thread: it takes projects one after another. */
export interface DiscoveryThread {
  run(job: DiscoveryJob): Promise<Discovery>;
  /** After `run` rejected: the thread is gone (the job timed out, or a module ended the worker), and so is what it had loaded. */
  readonly lost: boolean;
  /** Every file it was served so far, over all its jobs. */
  readonly loaded: ReadonlySet<string>;
  /** A job loaded a file outside that job's root: a later project may import it too, and would get this one's instance. */
  readonly strayed: boolean;
  terminate(): Promise<void>;
}

/**
 * The discovery workers of a daemon's start-up: up to `size` threads, each discovering one project
 * after another, so a cold start of many projects pays a worker, the hooks thread and the SDK's
 * import once per thread instead of once per project.
 *
 * Why sharing is safe, and where it is not: a thread's ESM cache keeps what each job imported,
 * by URL; projects have distinct files, so no job sees another's modules (a thread is not given
 * a project whose files it has loaded, and one whose job loaded a file outside that project's
 * root is retired, since another project may import that file too). All projects are one
 * daemon's, run as one OS user, and their attempts already share the task pools' threads
 * (pools.ts keys pools by isolation and RAM only): sharing adds no boundary to cross. What it
 * does not undo is a module's top level patching globals (a prototype, globalThis): that
 * reaches the discovery of the projects loaded after it in that thread (the README's limits).
 *
 * A job that fails on its own (a module throws) fails alone, the thread goes on. One that ends
 * the thread (a discovery timeout, process.exit at the top level, the heap cap) loses it: the
 * thread is replaced for the others, and the culprit is tried again alone in a thread of its
 * own, so its error is exactly the one a lone discovery gives. Reloads never come here: they
 * must import changed files again, in a fresh thread (`alone`).
 */
export class DiscoveryWorkers {
  private readonly idle: DiscoveryThread[] = [];
  private live = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly spawn: () => DiscoveryThread,
  ) {}

  async discover(job: DiscoveryJob): Promise<Discovery> {
    const thread = this.closed ? null : await this.take(job.root);
    if (thread === null) return this.alone(job);
    try {
      return await thread.run(job);
    } catch (error) {
      if (!thread.lost || job.signal?.aborted) throw error;
      return await this.alone(job);
    } finally {
      await this.giveBack(thread);
    }
  }

  /** One project in a thread of its own, terminated after. */
  async alone(job: DiscoveryJob): Promise<Discovery> {
    const thread = this.spawn();
    try {
      return await thread.run(job);
    } finally {
      await thread.terminate();
    }
  }

  /** The start-up batch has loaded: the threads end (what they imported with them), later discoveries run alone. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((thread) => this.retire(thread)));
  }

  /** An idle thread still alive that has loaded nothing of `root`, or a new one while under `size`; null when all are busy. */
  private async take(root: string): Promise<DiscoveryThread | null> {
    for (;;) {
      const thread = this.idle.pop();
      if (thread === undefined) break;
      // Lost while idle: a timer an earlier project's top level left threw, or ended the thread.
      if (!thread.lost && ![...thread.loaded].some((file) => isUnder(file, root))) return thread;
      await this.retire(thread);
    }
    if (this.live >= this.size) return null;
    this.live++;
    return this.spawn();
  }

  private async giveBack(thread: DiscoveryThread): Promise<void> {
    if (this.closed || thread.lost || thread.strayed) await this.retire(thread);
    else this.idle.push(thread);
  }

  private async retire(thread: DiscoveryThread): Promise<void> {
    this.live--;
    await thread.terminate();
  }
}

export function isUnder(file: string, root: string): boolean {
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
}
