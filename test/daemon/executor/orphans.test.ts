// endOrphans: what a dead daemon's attempts left running is ended at the next start, the worker
// only while its pid is still the recorded process. Real processes stand in for the workers.
import {describe, expect, it} from 'vitest';
import {createExecutor} from '../../../daemon/executor/index.js';
import {attemptMarker} from '../../../daemon/worker/attempt-processes.js';
import {readProcStat} from '../../../daemon/supervisor/proc-stat.js';
import {isRunning, killLeadersAfterEach, startLeader} from '../../helpers/session-leaders.js';

killLeadersAfterEach();

describe.runIf(process.platform === 'linux')('executor.endOrphans', () => {
  it('ends the recorded worker with its group only while its pid is that process, and every marked process', async () => {
    const executor = createExecutor({maxParallel: 1});
    try {
      // A worker that started a child in its group, and a process of its attempt that left the group.
      const worker = await startLeader('sleep 30 & echo $!; wait');
      const startTime = (await readProcStat(worker.pid))!.startTime;
      const escaped = await startLeader('echo $$; exec sleep 30', {PATH: process.env.PATH, CAPSULE_ATTEMPT: attemptMarker('run_old', 1)});

      // A later process given the pid (another start time) is not the worker: left alone.
      const reused = await executor.endOrphans([{runId: 'run_old', attempt: 1, worker: {pid: worker.pid, startTime: startTime + 1}}]);
      expect(reused).toEqual({ended: 1, left: 0});
      expect(await isRunning(escaped.pid)).toBe(false);
      expect(await isRunning(worker.pid)).toBe(true);
      expect(await isRunning(worker.printed)).toBe(true);

      expect(await executor.endOrphans([{runId: 'run_old', attempt: 1, worker: {pid: worker.pid, startTime}}])).toEqual({ended: 2, left: 0});
      expect(await isRunning(worker.pid)).toBe(false);
      expect(await isRunning(worker.printed)).toBe(false);
    } finally {
      await executor.close();
    }
  });
});
