/** An operator's stop holds across supervisors (daemon restarts), reloads and dependency starts, until an operator starts the service. */
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {processFingerprint} from '../../../daemon/supervisor/fingerprint.js';
import {readProcStat} from '../../../daemon/supervisor/proc-stat.js';
import {fixture, Harness, isAlive, NODE, service, waitFor} from './harness.js';

describe("an operator's stop, with real processes", () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  const sleeper = (extra: Record<string, unknown> = {}) => service({command: [NODE, fixture('sleeper.js')], ...extra});

  /** Closes `supervisor` as a daemon's shutdown does, and starts another on the same persistence. */
  async function restart(supervisor: ReturnType<Harness['supervisor']>, services: Record<string, ReturnType<typeof sleeper>>) {
    await supervisor.close();
    const next = h.supervisor();
    await next.setProjectServices('app', h.dir, services);
    await next.settleAdoption();
    return next;
  }

  it('keeps a stopped service stopped when the supervisor is replaced, until an operator starts it', async () => {
    const services = {web: sleeper(), other: sleeper()};
    const first = h.supervisor();
    await first.setProjectServices('app', h.dir, services);
    await waitFor('both running', () => first.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    await first.stop('app', 'web');

    const second = await restart(first, services);
    await waitFor('other running', () => second.snapshot('app', 'other').state === 'running');
    expect(second.snapshot('app', 'web')).toMatchObject({state: 'stopped', pid: null});
    expect(h.eventsOf('start', 'app/web')).toHaveLength(1);

    // The operator's start lifts it: the next supervisor autostarts the service again.
    await second.start('app', 'web');
    await waitFor('web running', () => second.snapshot('app', 'web').state === 'running');
    const third = await restart(second, services);
    await waitFor('web running again', () => third.snapshot('app', 'web').state === 'running');
  });

  it('keeps it stopped through a reload that changes another service, and through one that changes its own definition', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {web: sleeper(), other: sleeper()});
    await waitFor('both running', () => supervisor.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    await supervisor.stop('app', 'web');

    await supervisor.setProjectServices('app', h.dir, {web: sleeper(), other: sleeper({env: {MODE: 'new'}})});
    await waitFor('other restarted', () => h.eventsOf('start', 'app/other').length === 2);
    await supervisor.setProjectServices('app', h.dir, {web: sleeper({env: {MODE: 'new'}}), other: sleeper({env: {MODE: 'new'}})});
    const second = await restart(supervisor, {web: sleeper({env: {MODE: 'newer'}}), other: sleeper({env: {MODE: 'new'}})});
    await waitFor('other running', () => second.snapshot('app', 'other').state === 'running');

    expect(second.snapshot('app', 'web').state).toBe('stopped');
    expect(h.eventsOf('start', 'app/web')).toHaveLength(1);
  });

  it('is not started as the dependency of an autostarted service, but is when an operator starts that service', async () => {
    const services = {db: sleeper(), api: sleeper({depends_on: ['db']})};
    const first = h.supervisor();
    await first.setProjectServices('app', h.dir, services);
    await waitFor('both running', () => first.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    await first.stop('app', 'db');

    const second = await restart(first, services);
    await waitFor('api waiting for db', () => second.snapshot('app', 'api').waitingFor.join() === 'db');
    expect(second.snapshot('app', 'db').state).toBe('stopped');

    await second.stop('app', 'api');
    await second.start('app', 'api');
    await waitFor('both running', () => second.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    const third = await restart(second, services);
    await waitFor('both running again', () => third.snapshot('app').every((snapshot) => snapshot.state === 'running'));
  });

  it('stops every service of a project stopped as a whole, and starts them all with the project', async () => {
    const services = {web: sleeper(), other: sleeper()};
    const first = h.supervisor();
    await first.setProjectServices('app', h.dir, services);
    await waitFor('both running', () => first.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    await first.stopProject('app');

    const second = await restart(first, services);
    expect(second.snapshot('app').map((snapshot) => snapshot.state)).toEqual(['stopped', 'stopped']);
    await second.startProject('app');
    const third = await restart(second, services);
    await waitFor('both running', () => third.snapshot('app').every((snapshot) => snapshot.state === 'running'));
  });

  it('stops a recorded process of a service an operator stopped, instead of adopting it', async () => {
    // What a daemon killed in the middle of an operator's stop leaves: the stop recorded, the process alive.
    const config = sleeper();
    const child = spawn(NODE, [fixture('sleeper.js')], {detached: true, stdio: 'ignore'});
    await once(child, 'spawn');
    const pid = child.pid!;
    const startTime = await waitFor('its start time', async () => (await readProcStat(pid))?.startTime);
    await h.persistence.saveProcess({namespace: 'app', name: 'web', pid, startTime, startedAt: new Date().toISOString(), fingerprint: processFingerprint(h.dir, config)});
    await h.persistence.saveStoppedByOperator('app', 'web', true);

    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {web: config});
    await waitFor('the recorded process to end', async () => !(await isAlive(pid)));
    expect(supervisor.snapshot('app', 'web')).toMatchObject({state: 'stopped', pid: null});
    expect(h.eventsOf('adopt', 'app/web')).toEqual([]);
    expect(h.eventsOf('stop', 'app/web')[0]?.details).toMatchObject({pid, cause: 'operator'});
    expect(await h.persistence.listProcesses()).toEqual([]);
  });
});
