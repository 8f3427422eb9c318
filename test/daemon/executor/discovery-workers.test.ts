import {describe, expect, it} from 'vitest';
import type {Discovery} from '../../../daemon/executor/discover.js';
import {DiscoveryWorkers, isUnder, type DiscoveryJob, type DiscoveryThread} from '../../../daemon/executor/discovery-workers.js';
import type {ModuleSources} from '../../../daemon/executor/module-sources.js';

/** What a fake thread does with a project: load its files and succeed, fail on its own, or end the thread. */
type Behaviour = 'ok' | 'throws' | 'ends';

class FakeThread implements DiscoveryThread {
  lost = false;
  strayed = false;
  terminated = false;
  readonly loaded = new Set<string>();
  readonly ran: string[] = [];

  constructor(
    readonly id: number,
    private readonly behaviour: (root: string, alone: boolean) => Behaviour,
    private readonly alone: () => boolean,
  ) {}

  run(job: DiscoveryJob): Promise<Discovery> {
    expect(this.lost).toBe(false);
    this.ran.push(job.root);
    for (const file of job.files) {
      this.loaded.add(file);
      if (!isUnder(file, job.root)) this.strayed = true;
    }
    const what = this.behaviour(job.root, this.alone());
    if (what === 'ends') {
      this.lost = true;
      return Promise.reject(new Error(`${job.root} ended thread ${this.id}`));
    }
    if (what === 'throws') return Promise.reject(new Error(`${job.root} threw`));
    return Promise.resolve({tasks: [], modules: new Map(), hashes: Object.fromEntries(job.files.map((file) => [file, 'hash']))});
  }

  terminate(): Promise<void> {
    this.lost = true;
    this.terminated = true;
    return Promise.resolve();
  }
}

function setup(size: number, behaviour: (root: string, alone: boolean) => Behaviour = () => 'ok') {
  const threads: FakeThread[] = [];
  let spawningAlone = false;
  const workers = new DiscoveryWorkers(size, () => {
    const thread = new FakeThread(threads.length, behaviour, () => spawningAlone);
    threads.push(thread);
    return thread;
  });
  // Which spawns are the lone retries: the pool calls `alone` for them, which spawns outside its size.
  const alone = workers.alone.bind(workers);
  workers.alone = (job) => {
    spawningAlone = true;
    try {
      return alone(job);
    } finally {
      spawningAlone = false;
    }
  };
  const job = (root: string, files = [`${root}/tasks/main.ts`]): DiscoveryJob => ({root, files, modules: {} as ModuleSources, timeoutMs: 1000});
  return {workers, threads, job};
}

describe('DiscoveryWorkers', () => {
  it('discovers projects one after another in one thread', async () => {
    const {workers, threads, job} = setup(1);
    for (const root of ['/p/a', '/p/b', '/p/c']) await workers.discover(job(root));
    expect(threads).toHaveLength(1);
    expect(threads[0]!.ran).toEqual(['/p/a', '/p/b', '/p/c']);
    await workers.close();
    expect(threads[0]!.terminated).toBe(true);
  });

  it('starts up to its size of threads for projects loading together, and no more', async () => {
    const {workers, threads, job} = setup(2);
    await Promise.all(['/p/a', '/p/b', '/p/c', '/p/d'].map((root) => workers.discover(job(root))));
    // Two shared, and the two that found both busy ran alone (terminated at once).
    expect(threads.filter((thread) => !thread.terminated)).toHaveLength(2);
    await Promise.all(['/p/e', '/p/f'].map((root) => workers.discover(job(root))));
    expect(threads).toHaveLength(4);
    await workers.close();
    expect(threads.every((thread) => thread.terminated)).toBe(true);
  });

  it('keeps the thread after a project that throws on its own, and fails that project with its error', async () => {
    const {workers, threads, job} = setup(1, (root) => (root === '/p/bad' ? 'throws' : 'ok'));
    await workers.discover(job('/p/a'));
    await expect(workers.discover(job('/p/bad'))).rejects.toThrow('/p/bad threw');
    await workers.discover(job('/p/c'));
    expect(threads).toHaveLength(1);
    expect(threads[0]!.ran).toEqual(['/p/a', '/p/bad', '/p/c']);
    await workers.close();
  });

  it('replaces a thread a project ended, and tries that project again alone so its error is its lone one', async () => {
    const {workers, threads, job} = setup(1, (root) => (root === '/p/exits' ? 'ends' : 'ok'));
    await workers.discover(job('/p/a'));
    await expect(workers.discover(job('/p/exits'))).rejects.toThrow('/p/exits ended thread 1');
    await workers.discover(job('/p/c'));
    expect(threads.map((thread) => thread.ran)).toEqual([['/p/a', '/p/exits'], ['/p/exits'], ['/p/c']]);
    expect(threads[0]!.terminated && threads[1]!.terminated).toBe(true);
    await workers.close();
  });

  it('succeeds with the lone retry when an earlier project, not this one, ended the thread', async () => {
    // A timer left by one project's top level that kills the thread during the next one's discovery.
    const {workers, job} = setup(1, (root, alone) => (root === '/p/victim' && !alone ? 'ends' : 'ok'));
    await expect(workers.discover(job('/p/victim'))).resolves.toMatchObject({tasks: []});
  });

  it('does not give a project a thread lost while idle (a timer an earlier project left ended it)', async () => {
    const {workers, threads, job} = setup(1);
    await workers.discover(job('/p/a'));
    threads[0]!.lost = true;
    await workers.discover(job('/p/b'));
    expect(threads.map((thread) => thread.ran)).toEqual([['/p/a'], ['/p/b']]);
    // The lost one retired, and its replacement is shared (kept), not a lone retry.
    expect(threads.map((thread) => thread.terminated)).toEqual([true, false]);
    await workers.close();
  });

  it('does not retry a discovery the daemon stopped', async () => {
    const {workers, threads, job} = setup(1, () => 'ends');
    const stop = new AbortController();
    stop.abort();
    await expect(workers.discover({...job('/p/a'), signal: stop.signal})).rejects.toThrow('ended');
    expect(threads).toHaveLength(1);
  });

  it('never gives a thread a project whose files it has loaded (a reload must import them again)', async () => {
    const {workers, threads, job} = setup(1);
    await workers.discover(job('/p/a'));
    await workers.discover(job('/p/a'));
    expect(threads.map((thread) => thread.ran)).toEqual([['/p/a'], ['/p/a']]);
    expect(threads[0]!.terminated).toBe(true);
    await workers.close();
  });

  it('retires a thread whose project loaded a file outside its root: another project may import that file too', async () => {
    const {workers, threads, job} = setup(1);
    await workers.discover(job('/p/a', ['/p/a/tasks/main.ts', '/p/lib/shared.ts']));
    await workers.discover(job('/p/b', ['/p/b/tasks/main.ts', '/p/lib/shared.ts']));
    expect(threads.map((thread) => thread.ran)).toEqual([['/p/a'], ['/p/b']]);
    expect(threads.every((thread) => thread.terminated)).toBe(true);
  });

  it('runs every discovery alone once closed', async () => {
    const {workers, threads, job} = setup(2);
    await workers.close();
    await workers.discover(job('/p/a'));
    await workers.discover(job('/p/b'));
    expect(threads).toHaveLength(2);
    expect(threads.every((thread) => thread.terminated)).toBe(true);
  });

  it('tells a file under a root from one beside it', () => {
    expect(isUnder('/p/a/x.ts', '/p/a')).toBe(true);
    expect(isUnder('/p/ab/x.ts', '/p/a')).toBe(false);
    expect(isUnder('/p/a/x.ts', '/p/a/')).toBe(true);
  });
});
