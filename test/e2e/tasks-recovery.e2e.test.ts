// A daemon killed with -9 under queued and running runs: the next daemon settles every one of them
// per the recovery policy (daemon/runner/recovery.ts).
import {describe, expect, it} from 'vitest';
import type {RunRecord} from '../../src/protocol/index.js';
import {TestHome, eachTestHome, isAlive, waitFor} from '../helpers/cli.js';
import {SLOW, show, startWithProject, submit, waitForFinal, waitForLog} from './tasks-helpers.js';

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

describe('recovery after kill -9', SLOW, () => {
  it('re-queues running runs with retries left (an interrupted attempt recorded), fails those without, and runs the queued ones', async () => {
    // Two slots: `resumable` and `once` run, the `quick` runs wait behind them.
    await startWithProject(home, {CAPSULE_MAX_PARALLEL: '2'});
    const resumable = await submit(home, 'e2e/resumable');
    const once = await submit(home, 'e2e/once');
    await waitForLog(home, resumable, 'ready attempt 1');
    await waitForLog(home, once, 'ready attempt 1');
    const queued = [await submit(home, 'e2e/quick', {n: 1}), await submit(home, 'e2e/quick', {n: 2})];
    for (const id of queued) expect((await show(home, id)).status).toBe('queued');

    const pid = (await home.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), {what: 'the daemon to die'});
    const start = await home.run(['daemon', 'start'], {env: {CAPSULE_MAX_PARALLEL: '2'}});
    expect(start.code, start.stderr).toBe(0);

    const finals = new Map<string, RunRecord>();
    for (const id of [resumable, once, ...queued]) finals.set(id, await waitForFinal(home, id, 30_000));

    const resumed = finals.get(resumable)!;
    expect(resumed).toMatchObject({status: 'succeeded', result: {attempt: 2}, error: null});
    expect(resumed.attempts.map((attempt) => [attempt.n, attempt.error?.type ?? null])).toEqual([
      [1, 'interrupted'],
      [2, null],
    ]);

    const cutOff = finals.get(once)!;
    expect(cutOff).toMatchObject({status: 'failed', error: {type: 'interrupted'}});
    expect(cutOff.attempts).toEqual([expect.objectContaining({n: 1, error: expect.objectContaining({type: 'interrupted'})})]);

    for (const [index, id] of queued.entries()) {
      expect(finals.get(id)).toMatchObject({status: 'succeeded', result: {n: index + 1}});
      expect(finals.get(id)!.attempts).toHaveLength(1);
    }

    const stillOpen = [...(await home.json<{runs: RunRecord[]}>(['runs', '--status', 'running'])).runs, ...(await home.json<{runs: RunRecord[]}>(['runs', '--status', 'queued'])).runs];
    expect(stillOpen).toEqual([]);
  });
});
