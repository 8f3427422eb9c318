import {rm} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {TestHome, eachTestHome, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import type {ProjectSummary} from '../../src/protocol/index.js';

// Issue 13, cold start: the start-up's projects are discovered one after another in a few shared
// worker threads; a project that throws at import, ends the worker or hangs past the discovery
// timeout fails alone, with the error a discovery of its own gives it, and the others load.

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

type Listed = ProjectSummary;

const DAEMON_ENV = {CAPSULE_DISCOVERY_TIMEOUT: '2s'};

async function listed(): Promise<Listed[]> {
  return (await home.json<{projects: Listed[]}>(['list'])).projects;
}

async function project(name: string, module: string): Promise<string> {
  const root = await makeProject({'capsule.toml': projectToml(name), 'tasks/main.ts': module});
  home.removeOnCleanup(root);
  return root;
}

/** Its one task is named after the worker thread that discovered it: projects sharing a thread share a name. */
const GOOD = `import {threadId} from 'node:worker_threads';
import {task} from 'capsule';
export const work = task({name: \`thread\${threadId}\`}, async () => 'done');
`;

const BAD: Record<string, string> = {
  throws: "import {task} from 'capsule';\nexport const work = task(async () => 1);\nthrow new Error('boom at import');\n",
  exits: "import {task} from 'capsule';\nexport const work = task(async () => 1);\nprocess.exit(7);\n",
  hangs: "import {task} from 'capsule';\nawait new Promise(() => setInterval(() => {}, 1000));\nexport const work = task(async () => 1);\n",
};

function errorOf(entry: Listed | undefined): unknown {
  return entry?.error && {message: entry.error.message, hint: entry.error.hint, file: (entry.error.details as {file?: string | null} | undefined)?.file ?? null};
}

describe('a cold start discovering projects in shared worker threads', {timeout: 120_000}, () => {
  it('loads the good projects beside one that throws, one that exits and one that hangs, each bad one with its lone error', async () => {
    expect((await home.run(['daemon', 'start'], {env: DAEMON_ENV})).code).toBe(0);
    // Added to a running daemon, each bad project is discovered alone: the errors to expect.
    const alone = new Map<string, unknown>();
    for (const [name, module] of Object.entries(BAD)) {
      const added = await home.run(['project', 'add', await project(name, module)]);
      expect(added.code, added.stderr).toBe(2);
      alone.set(name, errorOf((await listed()).find((entry) => entry.namespace === name)));
    }
    expect(alone.get('hangs')).toMatchObject({message: expect.stringContaining('took longer than 2s') as unknown});
    expect(alone.get('exits')).toMatchObject({message: expect.stringContaining('exit code 7') as unknown});
    expect(alone.get('throws')).toMatchObject({message: expect.stringContaining('boom at import') as unknown});
    const good = ['good1', 'good2', 'good3', 'good4', 'good5', 'good6'];
    for (const name of good) expect((await home.run(['project', 'add', await project(name, GOOD)])).code).toBe(0);

    expect((await home.run(['daemon', 'stop'])).code).toBe(0);
    // Nothing stored: every project's modules are imported again at the next start.
    await rm(join(home.home, 'discovery'), {recursive: true, force: true});
    expect((await home.run(['daemon', 'start'], {env: DAEMON_ENV})).code).toBe(0);
    let projects: Listed[] = [];
    await waitFor(
      async () => {
        projects = await listed();
        return projects.length === 9 && projects.every((entry) => entry.status !== 'loading');
      },
      {what: 'every project to load', timeoutMs: 60_000},
    );

    for (const name of Object.keys(BAD)) {
      const entry = projects.find((candidate) => candidate.namespace === name);
      expect(entry?.status, name).toBe('error');
      expect(errorOf(entry), name).toEqual(alone.get(name));
    }
    const threads = good.map((name) => {
      const entry = projects.find((candidate) => candidate.namespace === name);
      expect(entry?.status, name).toBe('ok');
      expect(entry?.tasks).toHaveLength(1);
      return entry!.tasks[0]!.name;
    });
    // Six good projects over at most four shared threads (two to start with, one more for each bad one that ended its thread).
    expect(new Set(threads).size).toBeLessThan(good.length);
    const ran = await home.run(['run', `good1/${threads[0]}`]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('done');
  });
});
