import {readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {collect, isAlive, TestHome, eachTestHome, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import type {ProjectSummary} from '../../src/protocol/index.js';

// Issue 13, start: the daemon answers while its projects load, a request about one waits for that
// one only, and a restart with nothing changed does not run the entry modules again.

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

type Listed = ProjectSummary;

async function listed(namespace?: string): Promise<Listed[]> {
  return (await home.json<{projects: Listed[]}>(namespace === undefined ? ['list'] : ['list', namespace])).projects;
}

async function statusOf(namespace: string): Promise<string | undefined> {
  return (await listed()).find((project) => project.namespace === namespace)?.status;
}

/** A project whose entry module waits at its top level until `gate` exists: its load lasts as long as the test wants. */
async function slowProject(gate: string): Promise<string> {
  const root = await makeProject({
    'capsule.toml': projectToml('slow'),
    'tasks/work.ts': `import {existsSync} from 'node:fs';
import {task} from 'capsule';
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    if (existsSync(${JSON.stringify(gate)})) {
      clearInterval(timer);
      resolve();
    }
  }, 20);
});
export const work = task(async () => 'slow done');
`,
  });
  home.removeOnCleanup(root);
  return root;
}

async function restart(): Promise<void> {
  expect((await home.run(['daemon', 'stop'])).code).toBe(0);
  expect((await home.run(['daemon', 'start'])).code).toBe(0);
}

describe('a daemon starting with projects to load', {timeout: 120_000}, () => {
  it('lists a slow project as loading while another runs tasks; a request about the slow one waits for it, then succeeds', async () => {
    const gate = join(await home.scratch('gate-'), 'open');
    await writeFile(gate, '');
    const slow = await slowProject(gate);
    const fast = await makeProject({'capsule.toml': projectToml('fast'), 'tasks/hello.ts': "import {task} from 'capsule';\nexport const hello = task(async () => 'hi');\n"});
    home.removeOnCleanup(fast);
    expect((await home.run(['project', 'add', slow])).code).toBe(0);
    expect((await home.run(['project', 'add', fast])).code).toBe(0);
    // A run left scheduled by the previous daemon: it must not be settled as "task unknown" while its project loads.
    const scheduled = await home.json<{id: string}>(['run', 'slow/work', '--in', '1h']);
    expect((await home.run(['daemon', 'stop'])).code).toBe(0);
    // Closed, and no stored discovery: the next start runs the module's top level, which waits.
    await rm(gate);
    await rm(join(home.home, 'discovery'), {recursive: true, force: true});
    expect((await home.run(['daemon', 'start'])).code).toBe(0);

    expect(await statusOf('slow')).toBe('loading');
    await waitFor(async () => (await statusOf('fast')) === 'ok', {what: 'fast to load'});
    const ran = await home.run(['run', 'fast/hello']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('hi');
    const waiting = collect(home.spawn(['run', 'slow/work']));
    // Stored runs are shown at once, as stored.
    expect((await home.json<{status: string}>(['show', scheduled.id])).status).toBe('scheduled');
    expect((await home.json<{runs: unknown[]}>(['runs'])).runs.length).toBeGreaterThan(0);
    expect(await statusOf('slow')).toBe('loading');
    // Everything above was answered while the slow project still loads; the run about it has not.
    expect(waiting.stdout).toBe('');

    await writeFile(gate, '');
    expect(await waiting.closed).toBe(0);
    expect(waiting.stdout).toContain('slow done');
    expect(await statusOf('slow')).toBe('ok');
    // Recovered once its project loaded: still scheduled, and tracked again (it can be cancelled).
    expect((await home.json<{status: string}>(['show', scheduled.id])).status).toBe('scheduled');
    expect((await home.run(['cancel', scheduled.id])).code).toBe(0);
    expect((await home.json<{status: string}>(['show', scheduled.id])).status).toBe('cancelled');
  });

  it('stops promptly while a project is still loading', async () => {
    const gate = join(await home.scratch('gate-'), 'open');
    await writeFile(gate, '');
    const slow = await slowProject(gate);
    expect((await home.run(['project', 'add', slow])).code).toBe(0);
    expect((await home.run(['daemon', 'stop'])).code).toBe(0);
    await rm(gate);
    await rm(join(home.home, 'discovery'), {recursive: true, force: true});
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    const pid = await home.daemonPid();
    expect(await statusOf('slow')).toBe('loading');
    // The load never ends by itself (its discovery would time out after 30 s, past the CLI's wait): the stop cuts it short.
    expect((await home.run(['daemon', 'stop'])).code).toBe(0);
    expect(isAlive(pid!)).toBe(false);
  });

  it('does not run entry modules again on a restart with nothing changed; an edited, an added or a corrupt cache file does', async () => {
    const marks = join(await home.scratch('marks-'), 'imports');
    const module = (extra: string) => `import {appendFileSync} from 'node:fs';
import {task} from 'capsule';
appendFileSync(${JSON.stringify(marks)}, 'x');
export const jobs = task(async () => 'ok');
${extra}`;
    const root = await makeProject({'capsule.toml': projectToml('cached'), 'tasks/jobs.ts': module('')});
    home.removeOnCleanup(root);
    const imports = async () => (await readFile(marks, 'utf8')).length;
    const taskNames = async () => (await listed('cached'))[0]!.tasks.map((task) => task.name).sort();
    expect((await home.run(['project', 'add', root])).code).toBe(0);
    expect(await imports()).toBe(1);

    await restart();
    await waitFor(async () => (await statusOf('cached')) === 'ok', {what: 'the cached project to load'});
    expect(await taskNames()).toEqual(['jobs']);
    expect(await imports()).toBe(1);

    // Edited while no daemon watches: the next start sees it by its content.
    expect((await home.run(['daemon', 'stop'])).code).toBe(0);
    await writeFile(join(root, 'tasks', 'jobs.ts'), module('export const more = task(async () => 1);\n'));
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    expect(await taskNames()).toEqual(['jobs', 'more']);
    expect(await imports()).toBe(2);

    // A new file matching the entry glob.
    expect((await home.run(['daemon', 'stop'])).code).toBe(0);
    await writeFile(join(root, 'tasks', 'extra.ts'), "import {task} from 'capsule';\nexport const extra = task(async () => 2);\n");
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    expect(await taskNames()).toEqual(['extra', 'jobs', 'more']);
    expect(await imports()).toBe(3);

    // A cache file that cannot be read is ignored (and logged), never a failed start.
    expect((await home.run(['daemon', 'stop'])).code).toBe(0);
    const cacheDir = join(home.home, 'discovery');
    const files = await readdir(cacheDir);
    expect(files).toHaveLength(1);
    await writeFile(join(cacheDir, files[0]!), 'not a cache file');
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    expect(await taskNames()).toEqual(['extra', 'jobs', 'more']);
    expect(await imports()).toBe(4);
    expect(await readFile(join(home.home, 'logs', 'daemon.log'), 'utf8')).toContain('ignoring the unreadable discovery cache');

    // Removed with the project.
    expect((await home.run(['project', 'remove', 'cached'])).code).toBe(0);
    expect(await readdir(cacheDir)).toEqual([]);
  });
});
