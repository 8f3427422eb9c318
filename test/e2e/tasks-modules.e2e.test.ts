// Where a task's modules come from, against a real daemon: the daemon compiles them (so no
// esbuild process is left unreaped), and a reload that breaks a module keeps the last good version
// running in both isolations until the file is fixed.
import {readFile, readdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {ProjectSummary} from '../../src/protocol/index.js';
import {TestHome, eachTestHome, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import {SLOW, runAttached} from './tasks-helpers.js';

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

async function newProject(files: Record<string, string>): Promise<string> {
  const root = await makeProject(files);
  home.removeOnCleanup(root);
  return root;
}

/** A module with one task per isolation, each returning `version`; `broken` adds a syntax error on line 2. */
function tasksModule(version: string, broken = false): string {
  return [
    "import {task} from 'capsule';",
    `export const inThread = task({name: 'in_thread'}, async (): Promise<string> => '${version}'${broken ? ' +' : ''});`,
    `export const inProcess = task({name: 'in_process', isolation: 'process'}, async (): Promise<string> => '${version}');`,
    '',
  ].join('\n');
}

interface Child {
  pid: number;
  command: string;
  state: string;
}

/** The daemon's children, from /proc: every thread's list (a child belongs to the thread that spawned it). */
async function childrenOf(pid: number): Promise<Child[]> {
  const children: Child[] = [];
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const listed = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
    for (const child of listed.trim().split(' ').filter(Boolean)) {
      const stat = await readFile(`/proc/${child}/stat`, 'utf8').catch(() => null);
      if (stat === null) continue;
      // "pid (comm) state ...": comm may hold spaces, so split after its closing parenthesis.
      const close = stat.lastIndexOf(')');
      children.push({pid: Number(child), command: stat.slice(stat.indexOf('(') + 1, close), state: stat.slice(close + 2, close + 3)});
    }
  }
  return children;
}

describe('task modules', SLOW, () => {
  it.runIf(process.platform === 'linux')('leaves no defunct child after reloads and ad-hoc runs, and keeps one esbuild at most', async () => {
    const root = await newProject({'capsule.toml': projectToml('zombies'), 'tasks/x.ts': tasksModule('v1'), 'adhoc.ts': "import {task} from 'capsule';\nexport const main = task({}, async (): Promise<string> => 'ad hoc');\n"});
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    expect((await home.run(['project', 'add', root])).code).toBe(0);
    const pid = (await home.daemonPid())!;
    for (let round = 0; round < 4; round++) {
      const reloaded = await home.run(['project', 'reload', 'zombies']);
      expect(reloaded.code, reloaded.stderr).toBe(0);
      const adhoc = await home.run(['run', join(root, 'adhoc.ts')]);
      expect(adhoc.code, adhoc.stderr).toBe(0);
      const {run} = await runAttached(home, round % 2 === 0 ? 'zombies/in_thread' : 'zombies/in_process');
      expect(run.result).toBe('v1');
    }
    // A child that exited is reaped within moments; one no thread waits for stays defunct for good.
    const children = await waitFor(
      async () => {
        const now = await childrenOf(pid);
        return now.every((child) => child.state !== 'Z') ? now : null;
      },
      {timeoutMs: 10_000, what: 'the daemon to have no defunct child'},
    ).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(await childrenOf(pid))}`);
    });
    expect(children.filter((child) => child.command === 'esbuild').length).toBeLessThanOrEqual(1);
  });

  it('runs the last good version of a module broken by a reload, in both isolations, until it is fixed', async () => {
    const root = await newProject({'capsule.toml': projectToml('lastgood'), 'tasks/x.ts': tasksModule('v1')});
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    expect((await home.run(['project', 'add', root])).code).toBe(0);

    // No run before the break: no worker has the good version cached; it must come from what the daemon kept.
    await writeFile(join(root, 'tasks', 'x.ts'), tasksModule('v2', true));
    const reloaded = await home.run(['project', 'reload', 'lastgood']);
    expect(reloaded.code).toBe(2);
    const keeping = 'keeping the last good version of tasks/x.ts until it is fixed';
    expect(reloaded.stderr).toContain(keeping);
    const log = () => readFile(join(home.home, 'logs', 'daemon.log'), 'utf8');
    await waitFor(async () => (await log()).includes(keeping), {what: 'the daemon log to say the last good version keeps running'});
    expect(await log()).not.toContain('restoring lastgood');
    const [summary] = (await home.json<{projects: ProjectSummary[]}>(['list', 'lastgood'])).projects;
    expect(summary).toMatchObject({status: 'error', error: {message: expect.stringMatching(/tasks\/x\.ts:2:\d+: /), hint: expect.stringContaining(keeping)}});

    for (const task of ['in_thread', 'in_process']) {
      const {result, run} = await runAttached(home, `lastgood/${task}`);
      expect(result.code, `${task}: ${result.stderr}`).toBe(0);
      expect(run.result).toBe('v1');
    }

    await writeFile(join(root, 'tasks', 'x.ts'), tasksModule('v3'));
    expect((await home.run(['project', 'reload', 'lastgood'])).code).toBe(0);
    for (const task of ['in_thread', 'in_process']) expect((await runAttached(home, `lastgood/${task}`)).run.result).toBe('v3');
  });
});
