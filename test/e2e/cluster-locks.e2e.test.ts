// Lock keys hold across the nodes sharing a Redis backend: runs of one key, submitted to two
// daemons at once, never overlap; a "skip" run is skipped while another node's run holds its key;
// a node killed holding a key lets it go once its lease is out.
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {expect, it} from 'vitest';
import {isAlive, waitFor} from '../helpers/cli.js';
import {describeWithRedis} from '../helpers/redis.js';
import {useCluster} from './cluster.helpers.js';
import {SLOW, show, submit, waitForFinal, waitForRun} from './tasks-helpers.js';

describeWithRedis('lock keys across nodes', () => {
  const cluster = useCluster();

  const intervals = async (file: string): Promise<[number, number][]> =>
    (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number) as [number, number])
      .sort((a, b) => a[0] - b[0]);

  it('never lets two runs of one key overlap, whichever node each was submitted to, round after round', SLOW, async () => {
    // Room for every run at once on each node: only the key can keep them apart.
    const [a, b] = [await cluster.node('alpha', {CAPSULE_MAX_PARALLEL: '4'}), await cluster.node('beta', {CAPSULE_MAX_PARALLEL: '4'})];
    const scratch = await a.scratch('cap-locks-');
    for (let round = 0; round < 3; round++) {
      const file = join(scratch, `round-${round}.txt`);
      const input = {slot: round, file, ms: 150};
      const submitted = await Promise.all([a, b, a, b, a, b].map(async (home) => ({home, id: await submit(home, 'cluster/exclusive', input)})));
      for (const {home, id} of submitted) expect((await waitForFinal(home, id, 30_000)).status).toBe('succeeded');
      const spans = await intervals(file);
      expect(spans).toHaveLength(6);
      for (let at = 1; at < spans.length; at++) expect(spans[at]![0], `round ${round}: run ${at + 1} started before run ${at} ended`).toBeGreaterThanOrEqual(spans[at - 1]![1]);
    }
    // Other keys are not held up: two slots run side by side across the nodes.
    const file = join(scratch, 'apart.txt');
    const [one, two] = await Promise.all([submit(a, 'cluster/exclusive', {slot: 100, file, ms: 1_000}), submit(b, 'cluster/exclusive', {slot: 101, file, ms: 1_000})]);
    await Promise.all([waitForFinal(a, one), waitForFinal(b, two)]);
    const [first, second] = await intervals(file);
    expect(second![0]).toBeLessThan(first![1]);
  });

  it('has the nodes take turns with a key: a node with many runs of it does not keep it for all of them', SLOW, async () => {
    const [a, b] = [await cluster.node('alpha'), await cluster.node('beta')];
    const file = join(await a.scratch('cap-turns-'), 'order.txt');
    const input = {slot: 7, file, ms: 300};
    // Long enough for the three submits below to be in before it ends.
    const first = await submit(a, 'cluster/exclusive', {...input, ms: 4_000});
    await waitForRun(a, first, (run) => run.status === 'running', 'the first run to hold the key');
    const more = [await submit(a, 'cluster/exclusive', input), await submit(a, 'cluster/exclusive', input)];
    // Asked for the key after alpha's first, before alpha's next ones were let ask.
    const other = await submit(b, 'cluster/exclusive', input);
    for (const id of [first, ...more]) expect((await waitForFinal(a, id, 30_000)).status).toBe('succeeded');
    expect((await waitForFinal(b, other, 30_000)).status).toBe('succeeded');
    const order = (await readFile(file, 'utf8')).trim().split('\n').map((line) => line.split(' ')).sort((x, y) => Number(x[0]) - Number(y[0])).map((fields) => fields[2]);
    expect(order[0]).toBe(first);
    expect(order[1], `beta's run waited behind alpha's later ones: ${order.join(', ')}`).toBe(other);
  });

  it('skips a "skip" run while a run on another node holds its key, naming that run and node', async () => {
    const [a, b] = [await cluster.node('alpha'), await cluster.node('beta')];
    const holder = await submit(a, 'cluster/solo', {ms: 3_000});
    await waitForRun(a, holder, (run) => run.status === 'running', 'the holder to run');
    const skipped = await waitForFinal(b, await submit(b, 'cluster/solo', {ms: 0}));
    expect(skipped.status).toBe('cancelled');
    expect(skipped.error?.message).toBe(`skipped: lock "solo" is held by run ${holder} on node alpha (the task's lockMode is "skip")`);
    expect((await waitForFinal(a, holder)).status).toBe('succeeded');
    // Free again: the next run on beta takes it.
    expect((await waitForFinal(b, await submit(b, 'cluster/solo', {ms: 0}))).status).toBe('succeeded');
  });

  it('gives the key of a node killed mid-run to the other node once its lease is out', SLOW, async () => {
    const [a, b] = [await cluster.node('alpha'), await cluster.node('beta')];
    const scratch = await a.scratch('cap-locks-');
    const file = join(scratch, 'killed.txt');
    const held = await submit(a, 'cluster/exclusive', {slot: 1, file, ms: 60_000});
    await waitForRun(a, held, (run) => run.status === 'running', 'the first run to hold the key');
    const waiting = await submit(b, 'cluster/exclusive', {slot: 1, file, ms: 10});
    // Long enough for beta to have asked several times: it waits behind alpha's run.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await show(b, waiting)).status).toBe('queued');
    const pid = (await a.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), {what: 'alpha to be gone'});
    expect((await waitForFinal(b, waiting, 15_000)).status).toBe('succeeded');
  });
});
