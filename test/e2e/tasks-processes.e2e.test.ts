// The processes a task starts end with its attempt, however it ends, and none is left a zombie;
// a thread task may not start any.
import {existsSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {readProcStat} from '../../daemon/supervisor/proc-stat.js';
import {TestHome, eachTestHome, waitFor} from '../helpers/cli.js';
import {runAttached, SLOW, startWithProject, submit, waitForFinal, waitForLog} from './tasks-helpers.js';

let home: TestHome;
let dir: string;

eachTestHome(async (created) => {
  home = created;
  dir = await created.scratch('cap-procs-');
});

/** 20 children, 5 detached, and the 5 that leave the group or the marker otherwise (see processes.ts). */
const TREE = {children: 20, detached: 5};
const TREE_SIZE = 20 + 5 + 5;

interface Started {
  pid: number;
  startTime: number;
}

async function startedBy(file: string): Promise<Started[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  return lines.map((line) => {
    const [pid, startTime] = line.split(' ').map(Number);
    return {pid: pid!, startTime: startTime!};
  });
}

/** Each process still there (a pid now another process's, with another start time, is not), with its state. */
async function leftOf(started: Started[]): Promise<Array<{pid: number; state: string}>> {
  const left: Array<{pid: number; state: string}> = [];
  for (const {pid, startTime} of started) {
    const stat = await readProcStat(pid);
    if (stat !== null && stat.startTime === startTime) left.push({pid, state: stat.state});
  }
  return left;
}

/** When the run is over, every process it started is dead (some may wait a moment for init to reap them); then none is left at all. */
async function expectAllEnded(started: Started[]): Promise<void> {
  expect(started).toHaveLength(TREE_SIZE);
  expect((await leftOf(started)).filter(({state}) => state !== 'Z')).toEqual([]);
  await waitFor(
    async () => {
      const left = await leftOf(started);
      if (left.length > 0) throw new Error(`still there: ${left.map(({pid, state}) => `${pid} (${state})`).join(', ')}`);
      return true;
    },
    {timeoutMs: 10_000, intervalMs: 50, what: 'every process of the attempt to be gone, none a zombie'},
  );
}

describe('processes a task starts', SLOW, () => {
  it('end with a process attempt that returns, times out or is cancelled, detached and double-forked ones too; a thread task may start none', async () => {
    await startWithProject(home);

    const returned = join(dir, 'returned');
    const {result, run} = await runAttached(home, 'e2e/processTree', {file: returned, ...TREE, then: 'return'});
    expect(run.status, result.stderr).toBe('succeeded');
    expect(run.result).toBe(TREE_SIZE);
    await expectAllEnded(await startedBy(returned));

    const timedOut = join(dir, 'timed-out');
    const slow = await submit(home, 'e2e/processTreeTimesOut', {file: timedOut, ...TREE, then: 'wait'});
    expect(await waitForFinal(home, slow)).toMatchObject({status: 'failed', error: {type: 'timeout'}});
    await expectAllEnded(await startedBy(timedOut));

    const cancelled = join(dir, 'cancelled');
    const waiting = await submit(home, 'e2e/processTree', {file: cancelled, ...TREE, then: 'wait'});
    await waitForLog(home, waiting, `ready ${TREE_SIZE} processes`);
    const cancel = await home.run(['cancel', waiting]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(await waitForFinal(home, waiting)).toMatchObject({status: 'cancelled'});
    await expectAllEnded(await startedBy(cancelled));

    const inThread = join(dir, 'thread');
    const thread = await runAttached(home, 'e2e/threadTree', {file: inThread, ...TREE, then: 'return'});
    expect(thread.result.code).toBe(1);
    expect(thread.run).toMatchObject({status: 'failed', error: {type: 'error'}});
    expect(thread.run.error!.message).toBe(
      'a task in a worker thread cannot start a process (sleep): it would be a child of the daemon, which the thread cannot end or reap once it is stopped; declare the task with isolation: "process" to run programs',
    );
    // A FatalError: retrying cannot help.
    expect(thread.run.attempts).toHaveLength(1);
    expect(existsSync(inThread)).toBe(false);
  });
});
