// What a sandboxed task declares, through the real CLI and daemon: refusals at their place in
// capsule.toml or in the task's options, the isolation in the tree, and the declared files, and
// only those, writable in the sandbox.
import {mkdir, readFile, symlink} from 'node:fs/promises';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {RunRecord} from '../../src/protocol/index.js';
import {TestHome, eachTestHome} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';

let home: TestHome;
const servers: Server[] = [];

eachTestHome((created) => {
  home = created;
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A local HTTP server answering "hello" to everything, closed after the test. */
async function helloServer(): Promise<number> {
  const server = createServer((_request, response) => response.end('hello'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const task = (options: string) => `import {task} from 'capsule';\nexport const fetch = task(${options}, async () => 'fetched');\n`;

describe('sandbox declarations', () => {
  it('refuses an allowed_files entry that a symlink leads out of the project, at its line and column', async () => {
    const root = await makeProject({'capsule.toml': projectToml('p', '[defaults]\nallowed_files = ["data", "link"]\n'), 'data/x': '', 'tasks/fetch.ts': task('{}')});
    await symlink('/etc', join(root, 'link'));
    home.removeOnCleanup(root);
    const added = await home.run(['project', 'add', root]);
    expect(added.code).toBe(2);
    expect(added.stderr).toContain(`${root}/capsule.toml:5:26 defaults.allowed_files[1]: expected a path that stays in the project ${root}, got "link", which a symlink leads to /etc`);
  });

  it('refuses allowedFiles on a task that is not sandboxed, and lists why', async () => {
    const root = await makeProject({'capsule.toml': projectToml('p'), 'tasks/fetch.ts': task(`{allowedFiles: ['tasks']}`)});
    home.removeOnCleanup(root);
    const added = await home.run(['project', 'add', root]);
    expect(added.code).toBe(2);
    const refusal = 'task p/fetch: option "allowedFiles" applies to isolation "sandbox" only, and this task\'s isolation is "thread": it would not be confined';
    expect(added.stderr).toContain(refusal);
    expect((await home.run(['list', '--tree'])).stdout).toContain('task p/fetch: option "allowedFiles" applies to isolation "sandbox" only');
  });

  it('shows a sandboxed task as such, and gives it exactly the files it declares: [defaults] isolation, the task\'s allowedFiles', async () => {
    const writes = `import {writeFileSync} from 'node:fs';\nimport {task} from 'capsule';\nexport const writes = task({allowedFiles: ['out:rw', 'data']}, async (input: {path: string}) => {\n  writeFileSync(input.path, 'written');\n  return 'ok';\n});\n`;
    const root = await makeProject({'capsule.toml': projectToml('p', '[defaults]\nisolation = "sandbox"\nallowed_hosts = ["api.example.com"]\n'), 'tasks/writes.ts': writes, 'data/x': ''});
    await mkdir(join(root, 'out'));
    home.removeOnCleanup(root);
    const added = await home.run(['project', 'add', root]);
    expect(added.code, added.stderr).toBe(0);
    expect((await home.run(['list', '--tree'])).stdout).toMatch(/writes .*· sandbox/);

    const allowed = await home.run(['run', 'p/writes', '--input', JSON.stringify({path: join(root, 'out', 'x')})]);
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(await readFile(join(root, 'out', 'x'), 'utf8')).toBe('written');

    const denied = await home.run(['run', 'p/writes', '--input', JSON.stringify({path: join(root, 'data', 'x')})]);
    expect(denied.code).toBe(1);
    expect(denied.stdout + denied.stderr).toContain('sandbox_denied');
    expect(await readFile(join(root, 'data', 'x'), 'utf8')).toBe('');
    const {runs} = await home.json<{runs: RunRecord[]}>(['runs', 'p/writes', '--status', 'failed']);
    expect(runs).toHaveLength(1);
    // A denial is not retried: the next attempt would meet the same wall.
    expect(runs[0]!.attempts).toHaveLength(1);
  });

  it('records each HTTP request of the attempt with the run, the allowed one served and the other denied, and show lists them', async () => {
    const allowed = await helloServer();
    const other = await helloServer();
    const fetches = [
      "import {task} from 'capsule';",
      `export const fetches = task({isolation: 'sandbox', allowedHosts: ['127.0.0.1:${allowed}']}, async () => {`,
      `  const body = await (await fetch('http://127.0.0.1:${allowed}/hi')).text();`,
      `  const refused = await fetch('http://127.0.0.1:${other}/').then((response) => String(response.status), (error: Error) => error.message);`,
      '  return {body, refused};',
      '});',
      '',
    ].join('\n');
    const root = await makeProject({'capsule.toml': projectToml('p'), 'tasks/fetches.ts': fetches});
    home.removeOnCleanup(root);
    expect((await home.run(['project', 'add', root])).code).toBe(0);
    const ran = await home.run(['run', 'p/fetches', '--json']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const run = JSON.parse(ran.stdout) as RunRecord;
    expect(run.result).toMatchObject({body: 'hello'});
    expect(run.attempts[0]!.requests).toEqual([
      {method: 'GET', host: `127.0.0.1:${allowed}`, status: 200, bytes: 5, durationMs: expect.any(Number), denied: false},
      {method: 'GET', host: `127.0.0.1:${other}`, status: expect.anything(), bytes: expect.any(Number), durationMs: expect.any(Number), denied: true},
    ]);
    const shown = await home.run(['show', run.id]);
    expect(shown.stdout).toMatch(new RegExp(`GET  127\\.0\\.0\\.1:${allowed}\\s+200\\s+5B\\s+\\d+ms\\n`));
    expect(shown.stdout).toMatch(new RegExp(`GET  127\\.0\\.0\\.1:${other}\\s+\\S+\\s+\\S+\\s+\\d+ms  denied`));
  });
});
