// The processes of an attempt, found by group and by marker, and ended: real processes (sleep),
// each in a session of its own so that a kill here reaches nothing else.
import {describe, expect, it} from 'vitest';
import {attemptMarker, endAttemptProcesses, findAttemptProcesses} from '../../../daemon/worker/attempt-processes.js';
import {isRunning, killLeadersAfterEach, startLeader} from '../../helpers/session-leaders.js';

killLeadersAfterEach();

const PATH = process.env.PATH;

describe.runIf(process.platform === 'linux')('an attempt’s processes', () => {
  const marker = attemptMarker('run_test', 1);

  it('are those carrying its marker, wherever they went, and the members of a group a marked process leads', async () => {
    const marked = await startLeader('echo $$; exec sleep 30', {PATH, CAPSULE_ATTEMPT: marker});
    // Its child cleared its environment but stayed in the marked leader's group.
    const cleared = await startLeader('env -i sleep 30 & echo $!; wait', {PATH, CAPSULE_ATTEMPT: marker});
    const otherAttempt = await startLeader('echo $$; exec sleep 30', {PATH, CAPSULE_ATTEMPT: attemptMarker('run_test', 2)});
    const unmarked = await startLeader('sleep 30 & echo $!; wait');
    const found = findAttemptProcesses({markers: [marker]});
    expect(found).toEqual(expect.arrayContaining([marked.pid, cleared.pid, cleared.printed]));
    for (const pid of [otherAttempt.pid, unmarked.pid, unmarked.printed]) expect(found).not.toContain(pid);
  });

  it('are the members of the worker’s group but never the worker itself (spare)', async () => {
    const worker = await startLeader('sleep 30 & echo $!; wait');
    expect(findAttemptProcesses({markers: [], groups: [worker.pid], spare: worker.pid})).toEqual([worker.printed]);
    expect(findAttemptProcesses({markers: [], groups: [worker.pid]}).sort()).toEqual([worker.pid, worker.printed].sort());
  });

  it('end together, the process that is not theirs left running', async () => {
    const marked = await startLeader('sleep 30 & echo $!; wait', {PATH, CAPSULE_ATTEMPT: marker});
    const unmarked = await startLeader('echo $$; exec sleep 30');
    const {ended, left} = await endAttemptProcesses({markers: [marker]}, 5_000);
    expect({ended, left}).toEqual({ended: 2, left: 0});
    expect(await isRunning(marked.pid)).toBe(false);
    expect(await isRunning(marked.printed)).toBe(false);
    expect(await isRunning(unmarked.pid)).toBe(true);
    expect(await endAttemptProcesses({markers: [marker]}, 5_000)).toEqual({ended: 0, left: 0});
  });
});
