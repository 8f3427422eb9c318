// Schedules on two nodes sharing a Redis backend fire once: each fire of a per-second schedule
// has one run in the whole cluster, one node fires a schedule fire after fire (so "skip" overlap
// holds across them), and when that node is killed the other takes its schedules over.
import {expect, it} from 'vitest';
import type {AuditEvent, RunRecord} from '../../src/protocol/index.js';
import {isAlive, waitFor, type TestHome} from '../helpers/cli.js';
import {describeWithRedis} from '../helpers/redis.js';
import {useCluster} from './cluster.helpers.js';
import {auditOf, fireTimeOf, runs, scheduleProject} from './schedules.helpers.js';

const WINDOW_MS = 30_000;

describeWithRedis('schedules across nodes', () => {
  const cluster = useCluster();

  const started = async (name: string, root: string): Promise<TestHome> => {
    const home = await cluster.home(name);
    home.removeOnCleanup(root);
    const added = await home.run(['project', 'add', root]);
    expect(added.code, added.stderr).toBe(0);
    return home;
  };
  const fires = async (home: TestHome): Promise<AuditEvent[]> => auditOf(home, 'tick/every', 'schedule.fire');

  it('gives each fire of a per-second schedule one run in the cluster for 30 s, and passes it on when its node is killed', {timeout: 120_000}, async () => {
    const root = await scheduleProject('tick', '[schedules.every]\ntask = "noop"\ncron = "* * * * * *"\n[schedules.slowly]\ntask = "slow"\ncron = "* * * * * *"\n');
    const [a, b] = [await started('alpha', root), await started('beta', root)];
    const since = Date.now();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));

    const [fromA, fromB] = [await fires(a), await fires(b)];
    const times = [...fromA, ...fromB].map(fireTimeOf).filter((time) => time >= since);
    expect(new Set(times).size, 'a fire submitted on both nodes').toBe(times.length);
    // One a second, give or take what a shared machine delays into a catch-up.
    expect(times.length).toBeGreaterThanOrEqual((WINDOW_MS / 1000) * 0.8);
    // One node fires it, fire after fire.
    expect(Math.min(fromA.length, fromB.length)).toBe(0);
    const [owner, other] = fromA.length > 0 ? [a, b] : [b, a];
    const ownRuns = new Set((await runs(owner, 'tick/noop')).map((run) => run.id));
    const otherRuns = (await runs(other, 'tick/noop')).map((run) => run.id);
    expect(otherRuns.filter((id) => ownRuns.has(id))).toEqual([]);
    expect(otherRuns).toEqual([]);
    // A run of 2.5 s on a per-second cron with overlap "skip": never two at once, on either node.
    const slow = [...(await runs(a, 'tick/slow')), ...(await runs(b, 'tick/slow'))].filter((run): run is RunRecord & {startedAt: string} => run.startedAt !== null).sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt));
    expect(slow.length).toBeGreaterThanOrEqual(5);
    for (let at = 1; at < slow.length; at++) expect(Date.parse(slow[at]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(slow[at - 1]!.finishedAt ?? '9999'));

    const pid = (await owner.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), {what: 'the owner to be gone'});
    const killedAt = Date.now();
    const taken = await waitFor(async () => {
      const after = (await fires(other)).filter((event) => fireTimeOf(event) > killedAt);
      return after.length >= 3 ? after : null;
    }, {timeoutMs: 20_000, intervalMs: 250, what: 'the other node to fire the schedule'});
    // Within the lease (1 s) and a fire or two.
    expect(fireTimeOf(taken[0]!) - killedAt).toBeLessThan(5_000);
  });
});
