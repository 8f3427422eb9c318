import {appendFile, readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {ProjectSummary} from '../../src/protocol/index.js';
import {TestHome, eachTestHome, waitFor} from '../helpers/cli.js';
import {projectToml} from '../helpers/project.js';
import {PATIENCE, TASKS, auditOf, firesAfter, schedule, scheduleProject, schedules, type Listed} from './schedules.helpers.js';

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

async function newProject(name: string, toml: string, files: Record<string, string> = {}): Promise<string> {
  const root = await scheduleProject(name, toml, files);
  home.removeOnCleanup(root);
  return root;
}

async function project(namespace: string): Promise<ProjectSummary> {
  const {projects} = await home.json<{projects: ProjectSummary[]}>(['list']);
  const found = projects.find((entry) => entry.namespace === namespace);
  if (!found) throw new Error(`capsule list does not show ${namespace}`);
  return found;
}

interface Issue {
  line: number;
  column: number;
  path: string;
  message: string;
}

const issuesOf = (summary: ProjectSummary) => (summary.error?.details as {issues?: Issue[]} | undefined)?.issues ?? [];
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;
const EVERY = '[schedules.every]\ntask = "noop"\ncron = "* * * * * *"\n';

describe('a bad cron in capsule.toml', () => {
  it('is reported with its line and column while the last good definition keeps firing and running', {timeout: 60_000}, async () => {
    const root = await newProject('cfg', EVERY);
    expect((await home.run(['project', 'add', root])).code).toBe(0);
    await firesAfter(home, 'cfg/every', '', 1);

    await appendFile(join(root, 'capsule.toml'), '\n[schedules.broken]\ntask = "noop"\ncron = "* * * * 8"\n');
    const line = lineOf(await readFile(join(root, 'capsule.toml'), 'utf8'), '"* * * * 8"');
    const broken = await waitFor(async () => {
      const summary = await project('cfg');
      return summary.status === 'error' ? summary : null;
    }, {...PATIENCE, what: 'the watcher to report the bad cron'});
    expect(issuesOf(broken)).toEqual([{file: join(root, 'capsule.toml'), line, column: 1, path: 'schedules.broken.cron', message: expect.stringContaining('invalid cron expression "* * * * 8"'), suggestion: null}]);
    const reload = await home.run(['project', 'reload', 'cfg']);
    expect(reload.code).toBe(2);
    expect(reload.stderr).toContain(`capsule.toml:${line}:1 schedules.broken.cron: invalid cron expression "* * * * 8"`);

    // The project keeps its last good definition: the valid schedule fires, the task runs.
    const erroredAt = new Date().toISOString();
    await firesAfter(home, 'cfg/every', erroredAt, 2);
    expect((await schedules(home, 'cfg')).map((entry) => entry.name)).toEqual(['every']);
    expect(broken.schedules.map((entry) => entry.name)).toEqual(['every']);
    const run = await home.run(['run', 'cfg/noop']);
    expect(run.code, run.stderr).toBe(0);

    const fixed = (await readFile(join(root, 'capsule.toml'), 'utf8')).replace('"* * * * 8"', '"* * * * * *"');
    await writeFile(join(root, 'capsule.toml'), fixed);
    await waitFor(async () => (await project('cfg')).status === 'ok', {...PATIENCE, what: 'the fixed file to reload'});
    await firesAfter(home, 'cfg/broken', '', 1);
  });

  it('keeps a first-time project out with every issue listed, and loads it once fixed; other projects go on', {timeout: 60_000}, async () => {
    const other = await newProject('other', EVERY);
    expect((await home.run(['project', 'add', other])).code).toBe(0);
    const toml = projectToml('fresh', `${EVERY}\n[schedules.broken]\ntask = "noop"\ncron = "61 * * * *"\ntimezone = "Europe/Pariss"\n`);
    const root = await newProject('fresh', '', {'capsule.toml': toml});

    const added = await home.run(['project', 'add', root]);
    expect(added.code).toBe(2);
    const cronLine = lineOf(toml, '"61 * * * *"');
    expect(added.stderr).toContain(`capsule.toml:${cronLine}:1 schedules.broken.cron: invalid cron expression "61 * * * *"`);
    expect(added.stderr).toContain(`capsule.toml:${cronLine + 1}:1 schedules.broken.timezone: unknown time zone`);
    expect(added.stderr).toContain('did you mean "Europe/Paris"?');

    const listed = await project('fresh');
    expect(listed).toMatchObject({status: 'error', schedules: [], tasks: []});
    expect(issuesOf(listed).map((issue) => [issue.path, issue.line])).toEqual([
      ['schedules.broken.cron', cronLine],
      ['schedules.broken.timezone', cronLine + 1],
    ]);
    const addedAt = new Date().toISOString();
    await firesAfter(home, 'other/every', addedAt, 2);
    expect(await auditOf(home, 'fresh', 'schedule.fire')).toEqual([]);

    await writeFile(join(root, 'capsule.toml'), toml.replace('"61 * * * *"', '"* * * * * *"').replace('Europe/Pariss', 'Europe/Paris'));
    await waitFor(async () => (await project('fresh')).status === 'ok', {...PATIENCE, what: 'the fixed file to load'});
    await firesAfter(home, 'fresh/broken', '', 1);
    await firesAfter(home, 'fresh/every', '', 1);
  });
});

describe('a schedule naming a task the project does not declare', () => {
  it('is a config error at its line, with the task it probably meant', {timeout: 60_000}, async () => {
    const toml = projectToml('typo', '[schedules.every]\ntask = "noopp"\ncron = "* * * * * *"\n');
    const root = await newProject('typo', '', {'capsule.toml': toml});
    const added = await home.run(['project', 'add', root]);
    expect(added.code).toBe(2);
    expect(added.stderr).toContain(`capsule.toml:${lineOf(toml, '"noopp"')}:1 schedules.every.task: expected a task that typo declares, got "noopp"`);
    expect(added.stderr).toContain('did you mean "typo/noop"?');
    expect((await project('typo')).status).toBe('error');
  });
});

describe('a schedule declared in code with task({schedule})', () => {
  const CODE_TASKS = `${TASKS}
export const coded = task({name: 'coded', schedule: '* * * * * *'}, async () => ({ok: true}));
export const named = task({name: 'named', schedule: {name: 'nightly_code', cron: '0 3 * * *', timezone: 'Europe/Paris'}}, async () => ({ok: true}));
`;

  /** A line of `capsule schedules` or `list --tree` with names, relative times and skip counts (which depend on timing) made generic. */
  const generic = (line: string, name: string, task: string) =>
    line
      .replace(`→ ${task}`, '→ TASK')
      .replace(new RegExp(`\\b${name}\\b`), 'NAME')
      .replace(new RegExp(`\\b${task}\\b`), 'TASK')
      .replace(/(in )?\d+(ms|s|m|h)( \d+(ms|s|m))?( ago)?/g, 'TIME')
      .replace(/ · \d+ skipped/, '')
      .replace(/(succeeded|running|queued) +\d+/, '$1 N')
      .replace(/ +/g, ' ');

  it('fires and shows up in schedules, list and list --tree exactly like one from capsule.toml', {timeout: 60_000}, async () => {
    const root = await newProject('both', EVERY, {'tasks/t.ts': CODE_TASKS});
    expect((await home.run(['project', 'add', root])).code).toBe(0);
    await firesAfter(home, 'both/coded', '', 2);
    await firesAfter(home, 'both/every', '', 2);
    for (const key of ['both/coded', 'both/every']) expect((await home.run(['schedule', 'pause', key])).code).toBe(0);
    await waitFor(async () => (await schedules(home, 'both')).every((entry) => entry.lastRun === null || entry.lastRun.status === 'succeeded'), {...PATIENCE, what: 'the last runs to end'});

    const listed = await schedules(home, 'both');
    expect(listed.map((entry) => [entry.name, entry.task, entry.source])).toEqual([
      ['coded', 'coded', 'code'],
      ['every', 'noop', 'config'],
      ['nightly_code', 'named', 'code'],
    ]);
    const comparable = ({name: _name, task: _task, source: _source, lastRun, lastFireAt, skipped: _skipped, ...rest}: Listed) => ({...rest, lastRun: lastRun?.status, lastFireAt: lastFireAt !== null});
    const [coded, every, named] = listed as [Listed, Listed, Listed];
    expect(comparable(coded)).toEqual(comparable(every));
    expect(named).toMatchObject({cron: '0 3 * * *', timezone: 'Europe/Paris', paused: false, lastRun: null});

    // `list --json` carries the very same summaries.
    const inList = (await project('both')).schedules;
    expect(inList).toEqual(listed.map(({namespace: _namespace, ...summary}) => summary));

    const table = (await home.run(['schedules', 'both'])).stdout.split('\n');
    const tree = (await home.run(['list', 'both', '--tree'])).stdout.split('\n');
    const lineFor = (lines: string[], name: string) => lines.find((line) => new RegExp(`\\b${name}\\b`).test(line) && /\* \* \* \* \* \*/.test(line)) ?? '';
    expect(generic(lineFor(table, 'both/coded'), 'both/coded', 'coded')).toBe(generic(lineFor(table, 'both/every'), 'both/every', 'noop'));
    expect(generic(lineFor(tree, 'coded'), 'coded', 'coded')).toBe(generic(lineFor(tree, 'every'), 'every', 'noop'));
    expect(lineFor(tree, 'coded')).toMatch(/⏸ coded +\* \* \* \* \* \* \S+ · → coded · paused · last succeeded/);

    // One name declared both ways is a config error; the running definition stays.
    await appendFile(join(root, 'capsule.toml'), '\n[schedules.coded]\ntask = "noop"\ncron = "0 * * * *"\n');
    const twice = await waitFor(async () => {
      const summary = await project('both');
      return summary.status === 'error' ? summary : null;
    }, {...PATIENCE, what: 'the duplicate schedule to be reported'});
    expect(twice.error?.message).toContain('schedule "coded" is declared twice: in capsule.toml and in task "coded"');
    expect((await schedule(home, 'both/coded')).source).toBe('code');
  });
});
