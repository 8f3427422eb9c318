// Process workers lead a session and a process group of their own (daemon/executor/worker-session.ts
// adds `detached` to tinypool's fork): what their attempts spawn is in that group. Fails if an
// upgrade of tinypool stops the patch from applying.
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createExecutor, type TaskExecutor} from '../../../daemon/executor/index.js';
import type {AttemptWorker} from '../../../src/protocol/index.js';
import {readProcStat} from '../../../daemon/supervisor/proc-stat.js';
import {attemptRequest, recordingHooks} from './helpers.js';

describe.runIf(process.platform === 'linux')('process workers', () => {
  let executor: TaskExecutor;

  beforeEach(() => {
    executor = createExecutor({maxParallel: 1});
  });

  afterEach(async () => {
    await executor.close();
  });

  it('lead their own session and process group, apart from the daemon’s, and are recorded by pid and start time', async () => {
    const workers: AttemptWorker[] = [];
    const {hooks} = recordingHooks({worker: (worker) => workers.push(worker)});
    const outcome = await executor.execute(attemptRequest('basic.ts', 'session', {isolation: 'process'}), hooks, new AbortController().signal);
    expect(outcome.ok).toBe(true);
    const {pid, pgrp, sid} = (outcome as {result: {pid: number; pgrp: number; sid: number}}).result;
    expect({pgrp, sid}).toEqual({pgrp: pid, sid: pid});
    expect(pid).not.toBe(process.pid);
    expect(workers).toEqual([{pid, startTime: (await readProcStat(pid))!.startTime}]);
  });

  it('are not what thread attempts run in: no worker process to record', async () => {
    const workers: AttemptWorker[] = [];
    const {hooks} = recordingHooks({worker: (worker) => workers.push(worker)});
    expect(await executor.execute(attemptRequest('basic.ts', 'noop'), hooks, new AbortController().signal)).toMatchObject({ok: true});
    expect(workers).toEqual([]);
  });
});
