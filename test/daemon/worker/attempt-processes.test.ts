// The processes of an attempt, found by group and by marker, and ended: real processes (sleep),
// each in a session of its own so that a kill here reaches nothing else.
import {spawn, type ChildProcess} from 'node:child_process';
import {afterEach, describe, expect, it} from 'vitest';
import {attemptMarker, endAttemptProcesses, findAttemptProcesses} from '../../../daemon/worker/attempt-processes.js';
import {readProcStat} from '../../../daemon/supervisor/proc-stat.js';

const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});

const PATH = process.env.PATH;

/** A detached `sh -c SCRIPT` (its own session and group) and the pid it prints first. */
async function leader(script: string, env: NodeJS.ProcessEnv = {PATH}): Promise<{leader: number; printed: number}> {
  const child = spawn('/bin/sh', ['-c', script], {detached: true, env, stdio: ['ignore', 'pipe', 'ignore']});
  started.push(child);
  const printed = await new Promise<number>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(Number.parseInt(chunk.toString(), 10))));
  return {leader: child.pid!, printed};
}

async function running(pid: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== null && stat.state !== 'Z';
}

describe.runIf(process.platform === 'linux')('an attempt’s processes', () => {
  const marker = attemptMarker('run_test', 1);

  it('are those carrying its marker, wherever they went, and the members of a group a marked process leads', async () => {
    const marked = await leader('echo $$; exec sleep 30', {PATH, CAPSULE_ATTEMPT: marker});
    // Its child cleared its environment but stayed in the marked leader's group.
    const cleared = await leader('env -i sleep 30 & echo $!; wait', {PATH, CAPSULE_ATTEMPT: marker});
    const otherAttempt = await leader('echo $$; exec sleep 30', {PATH, CAPSULE_ATTEMPT: attemptMarker('run_test', 2)});
    const unmarked = await leader('sleep 30 & echo $!; wait');
    const found = findAttemptProcesses({markers: [marker]});
    expect(found).toEqual(expect.arrayContaining([marked.leader, cleared.leader, cleared.printed]));
    for (const pid of [otherAttempt.leader, unmarked.leader, unmarked.printed]) expect(found).not.toContain(pid);
  });

  it('are the members of the worker’s group but never the worker itself (spare)', async () => {
    const worker = await leader('sleep 30 & echo $!; wait');
    expect(findAttemptProcesses({markers: [], groups: [worker.leader], spare: worker.leader})).toEqual([worker.printed]);
    expect(findAttemptProcesses({markers: [], groups: [worker.leader]}).sort()).toEqual([worker.leader, worker.printed].sort());
  });

  it('end together, the process that is not theirs left running', async () => {
    const marked = await leader('sleep 30 & echo $!; wait', {PATH, CAPSULE_ATTEMPT: marker});
    const unmarked = await leader('echo $$; exec sleep 30');
    const {ended, left} = await endAttemptProcesses({markers: [marker]}, 5_000);
    expect({ended, left}).toEqual({ended: 2, left: 0});
    expect(await running(marked.leader)).toBe(false);
    expect(await running(marked.printed)).toBe(false);
    expect(await running(unmarked.leader)).toBe(true);
    expect(await endAttemptProcesses({markers: [marker]}, 5_000)).toEqual({ended: 0, left: 0});
  });
});
