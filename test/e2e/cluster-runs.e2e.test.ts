// Runs shared by two nodes on one Redis: a burst submitted to both is run by both, each run once;
// a node killed mid-attempt has its attempts run again by the other once its lock is out; a
// durable run moved that way does not run its finished steps again.
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {expect, it} from 'vitest';
import {connect} from '../../src/client/public.js';
import type {RunRecord} from '../../src/protocol/index.js';
import {isAlive, waitFor, type TestHome} from '../helpers/cli.js';
import {describeWithRedis} from '../helpers/redis.js';
import {useCluster} from './cluster.helpers.js';
import {SLOW, show, submit, waitForFinal} from './tasks-helpers.js';

const BURST = 1_000;

describeWithRedis('runs across nodes', () => {
  const cluster = useCluster();

  const lines = async (file: string): Promise<string[][]> =>
    (await readFile(file, 'utf8').catch(() => ''))
      .trim()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split(' '));

  const kill = async (home: TestHome) => {
    const pid = (await home.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), {what: `daemon ${pid} to be gone`});
  };

  it(`shares a burst of ${BURST} runs submitted to both nodes: each node runs some, none runs twice`, SLOW, async () => {
    const [a, b] = [await cluster.node('alpha'), await cluster.node('beta')];
    const file = join(await a.scratch('cap-burst-'), 'ran.txt');
    const pids = new Set([await a.daemonPid(), await b.daemonPid()].map(String));
    const clients = await Promise.all([a, b].map((home) => connect({home: home.home, autostart: false})));
    let records: RunRecord[];
    try {
      records = await Promise.all(Array.from({length: BURST}, (_, at) => clients[at % 2]!.run('cluster/where', {file})));
    } finally {
      for (const client of clients) client.close();
    }
    expect(records.filter((run) => run.status !== 'succeeded')).toEqual([]);
    const ran = await lines(file);
    expect(ran).toHaveLength(BURST);
    expect(new Set(ran.map(([runId]) => runId)).size).toBe(BURST);
    const byNode = new Map<string, number>();
    for (const [, pid] of ran) byNode.set(pid!, (byNode.get(pid!) ?? 0) + 1);
    expect(new Set(byNode.keys())).toEqual(pids);
    // Each record says where it ran, as the line did.
    const where = new Map(ran.map(([runId, pid]) => [runId!, pid!]));
    expect(records.every((run) => String((run.result as {pid: number}).pid) === where.get(run.id))).toBe(true);
  });

  it('runs again on the other node the attempts of a node killed mid-run, and each run ends once', SLOW, async () => {
    const [a, b] = [await cluster.node('alpha'), await cluster.node('beta')];
    const betaPid = String(await b.daemonPid());
    const file = join(await a.scratch('cap-killed-'), 'ran.txt');
    const ids = await Promise.all(Array.from({length: 4}, () => submit(a, 'cluster/slowly', {file, ms: 3_000})));
    await waitFor(async () => (await lines(file)).some(([what, , pid]) => what === 'start' && pid === betaPid), {what: 'beta to start one', timeoutMs: 15_000});
    await kill(b);
    for (const id of ids) expect((await waitForFinal(a, id, 40_000)).status).toBe('succeeded');
    const ran = await lines(file);
    for (const id of ids) expect(ran.filter(([what, runId]) => what === 'end' && runId === id)).toHaveLength(1);
    // What beta began is run again, from the start, by alpha; the run's log says so.
    const moved = ids.filter((id) => ran.some(([what, runId, pid]) => what === 'start' && runId === id && pid === betaPid));
    expect(moved.length).toBeGreaterThan(0);
    for (const id of moved) {
      expect((await show(a, id)).result).toEqual({pid: await a.daemonPid()});
      expect((await a.run(['logs', id])).stdout).toContain('node beta stopped running this attempt (lost or stopped); node alpha runs it again from its recorded steps');
    }
  });

  it("does not run a durable run's finished steps again when it moves to the other node", SLOW, async () => {
    const [a, b] = [await cluster.node('alpha'), await cluster.node('beta')];
    const betaPid = String(await b.daemonPid());
    const file = join(await a.scratch('cap-steps-'), 'ran.txt');
    // Runs until one lands on beta (BullMQ gives each to whichever node asks first).
    let moving: string | undefined;
    for (let tries = 0; moving === undefined && tries < 20; tries++) {
      const id = await submit(a, 'cluster/stepped', {file, ms: 4_000});
      const first = await waitFor(async () => (await lines(file)).find(([what, runId]) => what === 'first' && runId === id), {what: `run ${id}'s first step`});
      if (first[2] === betaPid) moving = id;
      else expect((await waitForFinal(a, id)).status).toBe('succeeded');
    }
    expect(moving, 'no run landed on beta in 20 tries').toBeDefined();
    await kill(b);
    expect((await waitForFinal(a, moving!, 40_000)).status).toBe('succeeded');
    const mine = (await lines(file)).filter(([, runId]) => runId === moving);
    expect(mine.map(([what, , pid]) => [what, pid === betaPid ? 'beta' : 'alpha'])).toEqual([
      ['first', 'beta'],
      ['second', 'alpha'],
    ]);
  });
});
