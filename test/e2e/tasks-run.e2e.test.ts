// `capsule run` and the run commands against a real daemon and real workers: outcomes, retries,
// ad-hoc files, detached runs and their history, child runs, and the errors a user can make.
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {ProjectSummary, RunRecord} from '../../src/protocol/index.js';
import {TestHome, eachTestHome} from '../helpers/cli.js';
import {PROJECTS, SLOW, runAttached, show, startWithProject, submit, waitForFinal} from './tasks-helpers.js';

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

describe('capsule run, attached', SLOW, () => {
  it('prints the logs and the result of a successful run and exits 0', async () => {
    await startWithProject(home);
    const result = await home.run(['run', 'e2e/hello', '--input', '{"name":"Ada"}']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\d\d:\d\d:\d\d\.\d{3} saying hello to Ada\n/);
    expect(result.stdout).toMatch(/✓ e2e\/hello run_\S+ succeeded/);
    expect(result.stdout).toContain('"greeting": "Hello, Ada!"');
    const runId = /(run_\S+) queued/.exec(result.stderr)?.[1];
    expect(runId).toBeDefined();
    const run = await show(home, runId!);
    expect(run).toMatchObject({status: 'succeeded', input: {name: 'Ada'}, result: {greeting: 'Hello, Ada!'}, error: null, parentId: null});
    expect(run.attempts).toEqual([expect.objectContaining({n: 1, error: null})]);
  });

  it('retries a task that throws, then fails it with every attempt recorded, and exits 1', async () => {
    await startWithProject(home);
    const {result, run} = await runAttached(home, 'e2e/flaky');
    expect(result.code).toBe(1);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({type: 'error', message: 'boom on attempt 3'});
    expect(run.error!.stack).toContain('basics.ts');

    const shown = await show(home, run.id);
    expect(shown.attempts.map((attempt) => [attempt.n, attempt.error?.type, attempt.error?.message])).toEqual([
      [1, 'error', 'boom on attempt 1'],
      [2, 'error', 'boom on attempt 2'],
      [3, 'error', 'boom on attempt 3'],
    ]);
    for (const attempt of shown.attempts) expect(attempt.finishedAt).not.toBeNull();

    const human = await home.run(['run', 'e2e/flaky']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✗ e2e\/flaky run_\S+ failed in \S+ after 3 attempts\nerror: boom on attempt 3/);
  });

  it('never retries a FatalError', async () => {
    await startWithProject(home);
    const {result, run} = await runAttached(home, 'e2e/fatal');
    expect(result.code).toBe(1);
    expect(run).toMatchObject({status: 'failed', error: {type: 'error', message: 'bad input: never retried'}});
    expect(run.attempts).toHaveLength(1);
  });

  it('runs a TypeScript task file that uses types, an enum and a sibling module', async () => {
    await startWithProject(home);
    const {result, run} = await runAttached(home, 'e2e/sum_points', {points: [{x: 1, y: 2}, {x: 3, y: 4}]});
    expect(result.code, result.stderr).toBe(0);
    expect(run.result).toEqual({sum: {x: 4, y: 6}, shape: 'line'});
  });

  it('runs the task of a file outside any project (ad hoc), choosing main or --task', async () => {
    const file = join(PROJECTS, 'adhoc', 'script.ts');
    const main = await home.run(['run', './script.ts', '--input', '{"n":7}'], {cwd: join(PROJECTS, 'adhoc')});
    expect(main.code, main.stderr).toBe(0);
    expect(main.stdout).toContain('ad-hoc run');
    expect(main.stdout).toContain('"squared": 49');

    const other = await runAttached(home, file, {});
    expect(other.run.task).toBe('script.main');
    const chosen = await home.json<RunRecord>(['run', file, '--task', 'other']);
    expect(chosen).toMatchObject({namespace: 'adhoc', task: 'script.other', status: 'succeeded', result: 'the other task'});

    const typo = await home.run(['run', file, '--task', 'othr']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean --task other?');
  });
});

describe('detached runs and their history', SLOW, () => {
  it('prints the id with --detach; runs --status, logs RUN, logs ns/task and restart RUN follow it', async () => {
    await startWithProject(home);
    const first = await submit(home, 'e2e/hello', {name: 'Grace'});
    const failing = await submit(home, 'e2e/fatal');
    expect((await waitForFinal(home, first)).status).toBe('succeeded');
    expect((await waitForFinal(home, failing)).status).toBe('failed');

    const succeeded = await home.json<{runs: RunRecord[]}>(['runs', '--status', 'succeeded']);
    expect(succeeded.runs.map((run) => run.id)).toEqual([first]);
    const failed = await home.json<{runs: RunRecord[]}>(['runs', 'e2e', '--status', 'failed']);
    expect(failed.runs.map((run) => run.id)).toEqual([failing]);
    const table = await home.run(['runs', 'e2e/hello']);
    expect(table.stdout).toContain(first);
    expect(table.stdout).not.toContain(failing);

    const logs = await home.run(['logs', first]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('saying hello to Grace');

    const restarted = await home.json<{runId: string; message: string}>(['restart', first]);
    expect(restarted.message).toBe(`re-ran ${first} as ${restarted.runId}`);
    const rerun = await waitForFinal(home, restarted.runId);
    expect(rerun).toMatchObject({status: 'succeeded', task: 'hello', input: {name: 'Grace'}});

    // The task's latest run is now the re-run.
    const latest = await home.run(['logs', 'e2e/hello']);
    expect(latest.code).toBe(0);
    expect(latest.stdout).toContain('saying hello to Grace');
    const newest = await home.json<{runs: RunRecord[]}>(['runs', 'e2e/hello', '--limit', '1']);
    expect(newest.runs[0]!.id).toBe(restarted.runId);
  });

  it('records a child submitted with ctx.submit under its parent', async () => {
    await startWithProject(home);
    const {result, run} = await runAttached(home, 'e2e/parent', {n: 21});
    expect(result.code, result.stderr).toBe(0);
    const {childId, childResult} = run.result as {childId: string; childResult: unknown};
    expect(childResult).toEqual({doubled: 42});
    const child = await show(home, childId);
    expect(child).toMatchObject({task: 'child', status: 'succeeded', parentId: run.id, input: {n: 21}});
  });

  it('shows each task with its limits and its last run in list --tree', async () => {
    await startWithProject(home);
    await runAttached(home, 'e2e/fatal');
    await runAttached(home, 'e2e/hello');
    const tree = await home.run(['list', '--tree']);
    expect(tree.code).toBe(0);
    const line = (name: string) => tree.stdout.split('\n').find((text) => new RegExp(`[○✓✗●] ${name} `).test(text)) ?? '';
    expect(line('hello')).toMatch(/✓ hello {2}256MB · 30s · cpu \S+ · last succeeded \S+ ago/);
    expect(line('fatal')).toMatch(/✗ fatal {2}256MB · 30s · cpu \S+ · retries 3 · last failed \S+ ago/);
    expect(line('heapBomb')).toMatch(/○ heapBomb {2}128MB · 30s · cpu \S+ · process/);
    expect(line('locked')).toContain('lock item:{id}');

    const listed = await home.json<{projects: ProjectSummary[]}>(['list', 'e2e']);
    const hello = listed.projects[0]!.tasks.find((task) => task.name === 'hello')!;
    expect(hello).toMatchObject({ramBytes: 256 * 1024 * 1024, timeoutMs: 30_000, computeMs: 120_000, maxRetries: 0, isolation: 'thread', lastRun: {status: 'succeeded'}});
  });
});

describe('usage errors', SLOW, () => {
  it('refuses bad --input JSON with exit 2, naming the flag', async () => {
    await startWithProject(home);
    const result = await home.run(['run', 'e2e/hello', '--input', '{bad']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--input is not valid JSON');
    expect((await home.json<{runs: unknown[]}>(['runs'])).runs).toEqual([]);
  });

  it('refuses a task file that does not exist with exit 2, naming the path as given and resolved', async () => {
    await startWithProject(home);
    const cwd = join(PROJECTS, 'adhoc');
    const result = await home.run(['run', './cleanp.ts'], {cwd});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`task file ./cleanp.ts not found (resolved to ${join(cwd, 'cleanp.ts')})`);
    expect(result.stderr).not.toContain('exports no task()');
  });

  it('refuses an unknown task with exit 2 and a suggestion', async () => {
    await startWithProject(home);
    const result = await home.run(['run', 'e2e/helo']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no task "helo"');
    expect(result.stderr).toContain('did you mean "e2e/hello"?');
  });
});
