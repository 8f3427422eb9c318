import {spawn} from 'node:child_process';
import {afterEach, expect, it} from 'vitest';
import {Watchdog, type Exceeded} from '../../../daemon/executor/watchdog.js';
import {ThreadMemoryProbe} from '../../../daemon/executor/thread-memory.js';
import {countDescendants} from '../../../daemon/worker/procfs.js';
import {waitFor} from '../executor/helpers.js';

// A sandboxed task cannot start a process (Node's permission model); this is the wall behind that, tried on a real process tree.
// Its own process group, so that the test ends all of it.
const tree = () => spawn('/bin/sh', ['-c', 'sleep 30 & sleep 30 & (sleep 30 & wait) & wait'], {stdio: 'ignore', detached: true});
let child: ReturnType<typeof tree> | null = null;
const probe = new ThreadMemoryProbe();

afterEach(() => {
  if (child?.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  child = null;
});

it('counts the processes below a process, grandchildren included, up to a cap', async () => {
  child = tree();
  await waitFor(() => countDescendants(child!.pid!, 100) === 4, 'the tree to be up');
  expect(countDescendants(child.pid!, 2)).toBe(3);
  expect(countDescendants(2 ** 22 + 7, 10)).toBe(0);
});

it('stops a sandboxed worker whose processes pass its cap', async () => {
  child = tree();
  await waitFor(() => countDescendants(child!.pid!, 100) === 4, 'the tree to be up');
  const exceeded: Exceeded[] = [];
  const watched = (maxProcesses: number) => new Watchdog({isolation: 'sandbox', pid: child!.pid!, threadId: 0, tid: null, cpuBeforeMs: 0, maxProcesses}, {ramBytes: 2 ** 40, computeMs: 1e9}, probe, (reason) => exceeded.push(reason));
  const within = watched(4);
  within.start(10);
  within.sample();
  within.stop();
  expect(exceeded).toEqual([]);
  const over = watched(3);
  over.start(10);
  over.sample();
  expect(exceeded).toEqual(['sandbox_denied']);
});
