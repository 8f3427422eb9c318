// endOrphans: what a dead daemon's attempts left running is ended at the next start, the worker
// only while its pid is still the recorded process. Real processes stand in for the workers.
import {spawn, type ChildProcess} from 'node:child_process';
import {afterEach, describe, expect, it} from 'vitest';
import {createExecutor} from '../../../daemon/executor/index.js';
import {attemptMarker} from '../../../daemon/worker/attempt-processes.js';
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

/** A detached `sh -c SCRIPT`, leader of its own session and group, and the pid it prints. */
async function leader(script: string, env: NodeJS.ProcessEnv = {PATH: process.env.PATH}): Promise<{pid: number; printed: number}> {
  const child = spawn('/bin/sh', ['-c', script], {detached: true, env, stdio: ['ignore', 'pipe', 'ignore']});
  started.push(child);
  const printed = await new Promise<number>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(Number.parseInt(chunk.toString(), 10))));
  return {pid: child.pid!, printed};
}

async function running(pid: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== null && stat.state !== 'Z';
}

describe.runIf(process.platform === 'linux')('executor.endOrphans', () => {
  it('ends the recorded worker with its group only while its pid is that process, and every marked process', async () => {
    const executor = createExecutor({maxParallel: 1});
    try {
      // A worker that started a child in its group, and a process of its attempt that left the group.
      const worker = await leader('sleep 30 & echo $!; wait');
      const startTime = (await readProcStat(worker.pid))!.startTime;
      const escaped = await leader('echo $$; exec sleep 30', {PATH: process.env.PATH, CAPSULE_ATTEMPT: attemptMarker('run_old', 1)});

      // A later process given the pid (another start time) is not the worker: left alone.
      const reused = await executor.endOrphans([{runId: 'run_old', attempt: 1, worker: {pid: worker.pid, startTime: startTime + 1}}]);
      expect(reused).toEqual({ended: 1, left: 0});
      expect(await running(escaped.pid)).toBe(false);
      expect(await running(worker.pid)).toBe(true);
      expect(await running(worker.printed)).toBe(true);

      expect(await executor.endOrphans([{runId: 'run_old', attempt: 1, worker: {pid: worker.pid, startTime}}])).toEqual({ended: 2, left: 0});
      expect(await running(worker.pid)).toBe(false);
      expect(await running(worker.printed)).toBe(false);
    } finally {
      await executor.close();
    }
  });
});
