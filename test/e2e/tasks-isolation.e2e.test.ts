// What keeps runs and projects apart: lock keys, each task's own environment, and a project whose
// module throws at import failing alone.
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {ProjectSummary} from '../../src/protocol/index.js';
import {TestHome, eachTestHome} from '../helpers/cli.js';
import {PROJECTS, SLOW, runAttached, startWithProject, submit, waitForFinal} from './tasks-helpers.js';

let home: TestHome;
let scratch: string;

eachTestHome(async (created) => {
  home = created;
  scratch = await created.scratch('cap-scratch-');
});

describe('locks', SLOW, () => {
  it('never lets two runs with the same lock key overlap', async () => {
    // Room for every run at once: only the lock can keep them apart.
    await startWithProject(home, {CAPSULE_MAX_PARALLEL: '4'});
    const file = join(scratch, 'intervals.txt');
    const ids = [];
    for (let index = 0; index < 4; index++) ids.push(await submit(home, 'e2e/locked', {id: 7, file, ms: 300}));
    for (const id of ids) expect((await waitForFinal(home, id)).status).toBe('succeeded');

    const intervals = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number) as [number, number])
      .sort((a, b) => a[0] - b[0]);
    expect(intervals).toHaveLength(4);
    for (let index = 1; index < intervals.length; index++) {
      expect(intervals[index]![0], `run ${index + 1} started before run ${index} ended`).toBeGreaterThanOrEqual(intervals[index - 1]![1]);
    }
  });
});

describe('task environment', SLOW, () => {
  it('shows a task only its declared variables and a minimal base, never the daemon environment', async () => {
    await startWithProject(home, {CAPSULE_TEST_SECRET: 'do-not-leak', CAPSULE_TEST_DECLARED: 'declared-value'});
    // The base, and the marker every process an attempt starts inherits.
    const base = new Set(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'CAPSULE_ATTEMPT']);

    const threadRun = (await runAttached(home, 'e2e/envThread')).run;
    const thread = threadRun.result as Record<string, string>;
    expect(thread.CAPSULE_ATTEMPT).toBe(`${threadRun.id}:1`);
    expect(thread.CAPSULE_TEST_DECLARED).toBe('declared-value');
    expect(thread).not.toHaveProperty('CAPSULE_TEST_SECRET');
    expect(thread).not.toHaveProperty('CAPSULE_HOME');
    for (const name of Object.keys(thread)) expect(base.has(name) || name === 'CAPSULE_TEST_DECLARED', `unexpected variable ${name}`).toBe(true);

    const childRun = (await runAttached(home, 'e2e/envProcess')).run;
    const child = childRun.result as Record<string, string>;
    expect(child.CAPSULE_ATTEMPT).toBe(`${childRun.id}:1`);
    expect(child.CAPSULE_TEST_FIXED).toBe('fixed');
    expect(child).not.toHaveProperty('CAPSULE_TEST_SECRET');
    expect(child).not.toHaveProperty('CAPSULE_TEST_DECLARED');
    for (const name of Object.keys(child)) expect(base.has(name) || name === 'CAPSULE_TEST_FIXED', `unexpected variable ${name}`).toBe(true);
  });
});

describe('worker thread heap', SLOW, () => {
  it("gives a thread task V8's own young generation, not the daemon's smaller one", async () => {
    await startWithProject(home);
    const megabytes = (await runAttached(home, 'e2e/youngGeneration')).run.result as number;
    // The daemon runs with --max-semi-space-size=4: 8 MB of new space at most, for itself only.
    expect(megabytes).toBeGreaterThan(8);
  });
});

describe('a module that throws at import', SLOW, () => {
  it('is reported as its project error with file and stack, while another project keeps working', async () => {
    await startWithProject(home);
    const added = await home.run(['project', 'add', join(PROJECTS, 'broken')]);
    expect(added.code).toBe(2);
    expect(added.stderr).toContain('tasks/throws.ts failed to load: kaboom at import');

    const listed = await home.json<{projects: ProjectSummary[]}>(['list']);
    const broken = listed.projects.find((project) => project.namespace === 'broken');
    expect(broken).toMatchObject({status: 'error', tasks: [], error: {code: 'config_invalid', message: 'tasks/throws.ts failed to load: kaboom at import'}});
    const details = broken!.error!.details as {file: string; stack: string};
    expect(details.file).toBe(join(PROJECTS, 'broken', 'tasks', 'throws.ts'));
    expect(details.stack).toMatch(/kaboom at import\n\s+at .*throws\.ts:6:7/);
    expect(listed.projects.find((project) => project.namespace === 'e2e')?.status).toBe('ok');

    const tree = await home.run(['list', '--tree']);
    expect(tree.stdout).toMatch(/^✗ broken /m);

    const {result, run} = await runAttached(home, 'e2e/hello', {name: 'still'});
    expect(result.code, result.stderr).toBe(0);
    expect(run.status).toBe('succeeded');
    const refused = await home.run(['run', 'broken/fine']);
    expect(refused.code).toBe(2);
  });
});
