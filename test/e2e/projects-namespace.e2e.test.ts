import {rm, writeFile} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {isAlive, TestHome, eachTestHome, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';

// Two directories asking for one namespace: the one holding it is never touched, the newcomer is refused.

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

interface Listed {
  namespace: string;
  root: string;
  status: string;
  description: string | null;
  error: {code: string; message: string; hint?: string} | null;
  services: {name: string; pid: number | null; state: string}[];
}

const SERVICE = '[services.web]\ncommand = ["node", "-e", "setInterval(() => {}, 1000)"]\n';

async function project(name: string, extra = SERVICE): Promise<string> {
  const root = await makeProject({'capsule.toml': projectToml(name, extra)});
  home.removeOnCleanup(root);
  return root;
}

async function listed(): Promise<Listed[]> {
  return (await home.json<{projects: Listed[]}>(['list'])).projects;
}

async function byRoot(root: string): Promise<Listed> {
  const found = (await listed()).find((candidate) => candidate.root === root);
  if (!found) throw new Error(`${root} is not listed`);
  return found;
}

/** The pid of a project's service once it runs. */
async function runningPid(root: string): Promise<number> {
  return waitFor(async () => {
    const service = (await byRoot(root)).services[0];
    return service?.state === 'running' ? service.pid : null;
  }, {what: `the service of ${root} to run`});
}

// Each test starts daemons, services and several CLI processes: slow on a shared two-core machine.
describe('a namespace claimed by two directories', {timeout: 120_000}, () => {
  it('refuses the copy with a hint naming its own directory, and never touches the original', async () => {
    const original = await project('shop');
    const copy = await project('shop');
    expect((await home.run(['up', original])).code).toBe(0);
    const pid = await runningPid(original);

    const clash = await home.run(['up', copy]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(`${join(copy, 'capsule.toml')}:2:1 project.name: namespace "shop" is already used by the project in ${original}`);
    expect(clash.stderr).toContain(`rename [project] name in ${join(copy, 'capsule.toml')}, or unregister this directory with \`capsule project remove ${copy}\``);
    expect(clash.stderr).not.toContain('project remove shop');

    // The original reloads (its file changed) and stays the one holding the namespace.
    await writeFile(join(original, 'capsule.toml'), projectToml('shop', `description = "v2"\n${SERVICE}`));
    const reloaded = await waitFor(async () => {
      const shop = await byRoot(original);
      return shop.description === 'v2' ? shop : null;
    }, {what: 'the original to reload'});
    expect(reloaded).toMatchObject({namespace: 'shop', status: 'ok', error: null, services: [{name: 'web', state: 'running', pid}]});
    expect(await byRoot(copy)).toMatchObject({namespace: 'shop', status: 'error', error: {code: 'conflict'}});

    // The namespace alone is ambiguous now: refused, and nothing is removed.
    const ambiguous = await home.run(['project', 'remove', 'shop']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`\`capsule project remove ${copy}\``);
    expect((await listed()).map((entry) => entry.root)).toEqual([original, copy]);

    // Removing the copy by its directory (relative to the CLI's cwd) leaves the original as it was.
    const removed = await home.run(['project', 'remove', `./${basename(copy)}`], {cwd: dirname(copy)});
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`removed shop (${copy})`);
    expect(await listed()).toEqual([expect.objectContaining({root: original, status: 'ok', services: [expect.objectContaining({state: 'running', pid})]})]);
  });

  it('loads the copy by itself once it is renamed, or once the original is removed', async () => {
    const original = await project('shop');
    const copy = await project('shop');
    const third = await project('shop');
    expect((await home.run(['project', 'add', original])).code).toBe(0);
    const pid = await runningPid(original);
    expect((await home.run(['project', 'add', copy])).code).toBe(1);
    expect((await home.run(['project', 'add', third])).code).toBe(1);

    await writeFile(join(copy, 'capsule.toml'), projectToml('shop-copy', SERVICE));
    await waitFor(async () => (await byRoot(copy)).status === 'ok', {what: 'the renamed copy to load'});
    expect(await byRoot(copy)).toMatchObject({namespace: 'shop-copy', error: null});
    expect((await byRoot(original)).services[0]).toMatchObject({state: 'running', pid});

    // The original goes: the directory still asking for "shop" gets it without a reload.
    expect((await home.run(['project', 'remove', original])).code).toBe(0);
    await waitFor(async () => (await byRoot(third)).status === 'ok', {what: 'the waiting directory to take the namespace'});
    await runningPid(third);
  });

  it('at start-up, the directory registered first keeps a namespace another took by a rename', async () => {
    const first = await project('shop');
    const second = await project('other');
    expect((await home.run(['project', 'add', first])).code).toBe(0);
    expect((await home.run(['project', 'add', second])).code).toBe(0);
    const pid = await runningPid(first);

    // Renamed to collide: refused, and its last good definition ("other") keeps running.
    await writeFile(join(second, 'capsule.toml'), projectToml('shop', SERVICE));
    const refused = await waitFor(async () => {
      const entry = await byRoot(second);
      return entry.status === 'error' ? entry : null;
    }, {what: 'the rename to be refused'});
    expect(refused).toMatchObject({namespace: 'other', error: {code: 'conflict'}, services: [{name: 'web', state: 'running'}]});
    expect(refused.error!.hint).toContain(`capsule project remove ${second}`);
    expect(await byRoot(first)).toMatchObject({namespace: 'shop', status: 'ok', services: [{state: 'running', pid}]});

    expect((await home.run(['daemon', 'stop'])).code).toBe(0);
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    const after = await listed();
    expect(after.map((entry) => [entry.root, entry.namespace, entry.status])).toEqual([
      [first, 'shop', 'ok'],
      [second, 'shop', 'error'],
    ]);
    expect(after[1]!.error!.message).toBe(`${join(second, 'capsule.toml')}:2:1 project.name: namespace "shop" is already used by the project in ${first}`);
    expect(after[1]!.error!.hint).toContain(`rename [project] name in ${join(second, 'capsule.toml')}`);
    expect(after[1]!.services).toEqual([]);
  });

  it('lets exactly one of several directories added at once take a namespace', async () => {
    for (let round = 0; round < 3; round++) {
      const name = `race${round}`;
      const dirs = await Promise.all(Array.from({length: 4}, () => project(name)));
      const results = await Promise.all(dirs.map((dir) => home.run(['project', 'add', dir])));
      expect(results.map((result) => result.code).sort()).toEqual([0, 1, 1, 1]);
      const entries = (await listed()).filter((entry) => entry.namespace === name);
      expect(entries.filter((entry) => entry.status === 'ok')).toHaveLength(1);
      expect(entries.filter((entry) => entry.error?.code === 'conflict')).toHaveLength(3);
      const services = await home.json<{services: {namespace: string}[]}>(['services', name]);
      expect(services.services).toHaveLength(1);
    }
  });

  it('keeps a renamed project running under its old namespace until the new definition loads', async () => {
    const root = await makeProject({
      'capsule.toml': projectToml('shop', SERVICE),
      'tasks/ok.ts': "import {task} from 'capsule';\nexport const ping = task({}, async () => 'pong');\n",
    });
    home.removeOnCleanup(root);
    expect((await home.run(['project', 'add', root])).code).toBe(0);
    const pid = await runningPid(root);

    // Renamed, and a new module that throws at import: the reload fails.
    await writeFile(join(root, 'tasks/bad.ts'), "throw new Error('bad at import');\n");
    await writeFile(join(root, 'capsule.toml'), projectToml('shop2', SERVICE));
    const failed = await waitFor(async () => {
      const entry = await byRoot(root);
      return entry.status === 'error' ? entry : null;
    }, {what: 'the rename to fail'});
    expect(failed).toMatchObject({namespace: 'shop', services: [{name: 'web', state: 'running', pid}]});
    expect(failed.error!.message).toContain('bad at import');
    expect(failed.error!.hint).toContain('keeping the last good version of tasks/bad.ts');
    expect(isAlive(pid)).toBe(true);
    const tree = await home.json<{projects: {tasks: {name: string}[]}[]}>(['list', 'shop']);
    expect(tree.projects[0]!.tasks.map((task) => task.name)).toEqual(['ping']);
    const ran = await home.run(['run', 'shop/ping']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('pong');

    // Named by its old namespace or by its directory, the project reloads (and fails the same way).
    for (const target of ['shop', root]) {
      const reload = await home.run(['project', 'reload', target]);
      expect(reload.code).toBe(2);
      expect(reload.stderr).toContain('bad at import');
      expect(reload.stderr).not.toContain('no project named');
    }
    expect((await byRoot(root)).services[0]).toMatchObject({state: 'running', pid});

    // Fixed: the new namespace takes over, and the old one's service is stopped.
    await rm(join(root, 'tasks/bad.ts'));
    await waitFor(async () => (await byRoot(root)).status === 'ok', {what: 'the renamed project to load'});
    expect(await byRoot(root)).toMatchObject({namespace: 'shop2', error: null});
    const newPid = await runningPid(root);
    expect(newPid).not.toBe(pid);
    await waitFor(() => !isAlive(pid), {what: `the old service ${pid} to stop`});
    expect((await home.run(['list', 'shop'])).code).toBe(2);
  });
});
