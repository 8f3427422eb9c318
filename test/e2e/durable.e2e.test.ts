// Durable runs on a real daemon, in both isolations: steps kept across a kill -9 and a retry,
// sleeps that free the worker and survive a restart, waits for signals sent before and after.
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {RunRecord, StepRecord} from '../../src/protocol/index.js';
import {TestHome, eachTestHome, isAlive, waitFor} from '../helpers/cli.js';
import {PROJECTS, SLOW, startWithProject, submit, waitForFinal, waitForRun} from './tasks-helpers.js';

const DURABLE_PROJECT = join(PROJECTS, 'durable');

let home: TestHome;
let dir: string;

eachTestHome(async (created) => {
  home = created;
  dir = await created.scratch('cap-durable-');
});

/** How many times each step ran, from the counter file the fixture's steps append to. */
async function counts(): Promise<Record<string, number>> {
  const text = await readFile(join(dir, 'counter'), 'utf8').catch(() => '');
  const counted: Record<string, number> = {};
  for (const name of text.split('\n').filter(Boolean)) counted[name] = (counted[name] ?? 0) + 1;
  return counted;
}

async function killDaemon(): Promise<void> {
  const pid = (await home.daemonPid())!;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), {what: 'the daemon to die'});
}

async function startDaemon(env: NodeJS.ProcessEnv = {}): Promise<void> {
  const start = await home.run(['daemon', 'start'], {env});
  expect(start.code, start.stderr).toBe(0);
}

function steps(run: RunRecord): StepRecord[] {
  return (run as RunRecord & {steps: StepRecord[]}).steps;
}

describe.each(['thread', 'process'])('durable runs (%s isolation)', SLOW, (isolation) => {
  it('keeps the steps that ended across a kill -9 of the daemon in the middle of step 3', async () => {
    await startWithProject(home, {}, DURABLE_PROJECT);
    const runId = await submit(home, `durable/five_${isolation}`, {dir, holdAt: 3});
    await waitFor(async () => (await counts()).step3 === 1, {what: 'step 3 to start'});
    await killDaemon();
    await writeFile(join(dir, 'release'), '');
    await startDaemon();

    const run = await waitForFinal(home, runId, 30_000);
    expect(run).toMatchObject({status: 'succeeded', result: [10, 20, 30, 40, 50]});
    const ran = await counts();
    expect(ran).toMatchObject({step1: 1, step2: 1, step4: 1, step5: 1});
    expect(ran.step3).toBeGreaterThanOrEqual(1);
    expect(ran.step3).toBeLessThanOrEqual(2);
    expect(run.attempts.map((attempt) => attempt.error?.type ?? null)).toEqual(['interrupted', null]);
    expect(steps(run).map((step) => [step.key, step.status, step.attempt])).toEqual([
      ['step1#1', 'succeeded', 1],
      ['step2#1', 'succeeded', 1],
      ['step3#1', 'succeeded', 2],
      ['step4#1', 'succeeded', 2],
      ['step5#1', 'succeeded', 2],
    ]);
  });

  it('retries a run whose step 4 failed without running steps 1 to 3 again', async () => {
    await startWithProject(home, {}, DURABLE_PROJECT);
    const run = await waitForFinal(home, await submit(home, `durable/five_${isolation}`, {dir, failAt: 4}));
    expect(run).toMatchObject({status: 'succeeded', result: [10, 20, 30, 40, 50]});
    expect(await counts()).toEqual({step1: 1, step2: 1, step3: 1, step4: 2, step5: 1});
    expect(run.attempts.map((attempt) => attempt.error?.type ?? null)).toEqual(['error', null]);
  });

  it('frees the only worker slot while a run sleeps, and wakes it after a daemon restart', async () => {
    const env = {CAPSULE_MAX_PARALLEL: '1'};
    await startWithProject(home, env, DURABLE_PROJECT);
    // Long enough for a stop and a start on a loaded machine: a sleep over before the daemon is back
    // would take the one slot first.
    const sleeping = await submit(home, `durable/sleeper_${isolation}`, {dir, sleep: '10s'});
    await waitForRun(home, sleeping, (run) => run.status === 'sleeping', 'to sleep');
    const stop = await home.run(['daemon', 'stop']);
    expect(stop.code, stop.stderr).toBe(0);
    const stoppedAt = Date.now();
    await startDaemon(env);
    // The one slot is free: another run goes through while the first sleeps.
    const other = await waitForFinal(home, await submit(home, 'durable/quick_thread', {dir}));
    expect(other.status).toBe('succeeded');

    const woken = await waitForFinal(home, sleeping, 30_000);
    expect(woken.status).toBe('succeeded');
    expect((woken.result as {sleptMs: number}).sleptMs).toBeGreaterThanOrEqual(10_000);
    // The daemon stopped and started within the sleep, and the other run went by before the sleeper's next attempt.
    expect(Date.parse(steps(woken)[1]!.until!)).toBeGreaterThan(stoppedAt);
    expect(Date.parse(other.finishedAt!)).toBeLessThanOrEqual(Date.parse(woken.attempts[1]!.startedAt));
    expect(await counts()).toEqual({before: 1, after: 1, quick: 1});
    expect(steps(woken).map((step) => [step.key, step.kind, step.status])).toEqual([
      ['before#1', 'step', 'succeeded'],
      ['sleep#1', 'sleep', 'succeeded'],
      ['after#1', 'step', 'succeeded'],
    ]);
    expect(woken.attempts.map((attempt) => attempt.suspended ?? attempt.error?.type ?? 'ok')).toEqual(['sleeping', 'ok']);
  });

  it('waits for a signal sent after the wait is reached, and for one sent before', async () => {
    await startWithProject(home, {}, DURABLE_PROJECT);
    const after = await submit(home, `durable/waiter_${isolation}`, {dir});
    await waitForRun(home, after, (run) => run.status === 'waiting', 'to wait');
    const sent = await home.run(['signal', after, 'go', '--value', '{"n":1}']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain('delivered');
    expect(await waitForFinal(home, after)).toMatchObject({status: 'succeeded', result: {got: {n: 1}}});

    const before = await submit(home, `durable/waiter_${isolation}`, {dir, holdFirst: true});
    await waitForRun(home, before, (run) => run.status === 'running', 'to run');
    const early = await home.run(['signal', before, 'go', '--value', '"early"']);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stdout).toContain('kept');
    await writeFile(join(dir, 'release'), '');
    const run = await waitForFinal(home, before);
    expect(run).toMatchObject({status: 'succeeded', result: {got: 'early'}});
    expect(steps(run).find((step) => step.kind === 'wait')).toMatchObject({key: 'go#1', status: 'succeeded', signal: 'go'});
  });

  it('throws a WaitTimeoutError the task can catch when no signal comes in time', async () => {
    await startWithProject(home, {}, DURABLE_PROJECT);
    const run = await waitForFinal(home, await submit(home, `durable/waiter_${isolation}`, {dir, timeout: '1s'}));
    expect(run).toMatchObject({status: 'succeeded', result: {timedOut: 'no signal "go" came within 1s'}});
    expect(steps(run)[0]).toMatchObject({key: 'go#1', status: 'failed', error: {type: 'timeout'}});
  });
});

describe('durable runs: what is refused', SLOW, () => {
  it('fails a run whose recorded step was renamed between attempts with nondeterminism, not retried', async () => {
    const root = await home.scratch('cap-durable-edit-');
    const file = join(root, 'flow.ts');
    await writeFile(join(root, 'capsule.toml'), '[project]\nname = "edited"\nentry = ["flow.ts"]\n\n[defaults]\nmax_retries = 3\n');
    const source = (first: string) =>
      `import {task} from 'capsule';\nexport const flow = task(async (_input, ctx) => {\n  await ctx.step('${first}', () => 1);\n  await ctx.waitFor('go', {timeout: '1m'});\n  return ctx.step('last', () => 2);\n});\n`;
    await writeFile(file, source('charge'));
    await startWithProject(home, {}, root);
    const runId = await submit(home, 'edited/flow');
    await waitForRun(home, runId, (run) => run.status === 'waiting', 'to wait');
    await writeFile(file, source('bill'));
    const reload = await home.run(['project', 'reload', 'edited']);
    expect(reload.code, reload.stderr).toBe(0);
    expect((await home.run(['signal', runId, 'go'])).code).toBe(0);

    const run = await waitForFinal(home, runId);
    expect(run.status).toBe('failed');
    expect(run.error?.type).toBe('nondeterminism');
    expect(run.error?.message).toContain('"charge#1"');
    expect(run.error?.message).toContain('"bill#1"');
    expect(run.attempts).toHaveLength(2);
  });

  it('refuses signals and answers for unknown and finished runs, and wrong names, with exit 2', async () => {
    await startWithProject(home, {}, DURABLE_PROJECT);
    const unknown = await home.run(['signal', 'run_nosuchrun', 'go']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no run run_nosuchrun');

    const waiting = await submit(home, 'durable/waiter_thread', {dir});
    await waitForRun(home, waiting, (run) => run.status === 'waiting', 'to wait');
    const misspelt = await home.run(['signal', waiting, 'og']);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('waits for signal "go", not "og"');
    const notAsked = await home.run(['answer', waiting, 'yes']);
    expect(notAsked.code).toBe(2);
    expect(notAsked.stderr).toContain('asks no question');
    const badValue = await home.run(['signal', waiting, 'go', '--value', '{nope']);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('--value is not valid JSON');

    expect((await home.run(['signal', waiting, 'go'])).code).toBe(0);
    await waitForFinal(home, waiting);
    const late = await home.run(['signal', waiting, 'go']);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/already succeeded .* it takes no signal "go"/);
    const lateAnswer = await home.run(['answer', waiting, 'x']);
    expect(lateAnswer.code).toBe(2);
  });
});
