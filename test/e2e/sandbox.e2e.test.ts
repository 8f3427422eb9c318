// Sandboxed tasks against a real daemon and real bubblewrap: each wall is tried by a task in a run
// of its own, and ends the run `sandbox_denied` naming what was denied, with nothing left running.
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {copyFile, mkdir, symlink} from 'node:fs/promises';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {RunRecord} from '../../src/protocol/index.js';
import {ROOT, TestHome, isAlive, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import {SLOW, runAttached} from './tasks-helpers.js';

const TASKS = join(ROOT, 'test', 'fixtures', 'tasks', 'sandbox.ts');


let home: TestHome;
let project: string;
let other: string;

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((request, response) => response.end(`served ${request.url}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  home = await TestHome.create();
  other = await makeProject({'capsule.toml': projectToml('other'), 'secret.txt': 'other project'});
  // The executor tests' fixture tasks, sandboxed by the project's defaults, allowed one path on the local server's port.
  const defaults = `[defaults]\nmax_retries = 0\nisolation = "sandbox"\nallowed_hosts = ["127.0.0.1:${port}"]\n`;
  project = await makeProject({'capsule.toml': projectToml('sbx', defaults)});
  home.removeOnCleanup(project, other);
  await mkdir(join(project, 'tasks'));
  await copyFile(TASKS, join(project, 'tasks', 'walls.ts'));
  await symlink('/etc/passwd', join(project, 'leak'));
  expect((await home.run(['daemon', 'start'])).code).toBe(0);
  const added = await home.run(['project', 'add', project]);
  expect(added.code, added.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await home.cleanup();
  await new Promise((resolve) => server.close(resolve));
});

async function denied(task: string, input: unknown, what: RegExp): Promise<RunRecord> {
  const {result, run} = await runAttached(home, `sbx/${task}`, input);
  expect(result.code, result.stderr).toBe(1);
  expect(run.error).toMatchObject({type: 'sandbox_denied', message: expect.stringMatching(what)});
  expect(run.attempts).toHaveLength(1);
  const worker = run.attempts[0]!.worker;
  expect(worker?.pid).toBeGreaterThan(1);
  expect(isAlive(worker!.pid), `the sandbox of ${run.id} is still running`).toBe(false);
  return run;
}

describe('a sandboxed task', SLOW, () => {
  it('has a spare started for it as soon as its project loaded, before any run', async () => {
    // Its modules load in the daemon's discovery thread: no sandbox has been started for its project yet.
    const own = await makeProject({'capsule.toml': projectToml('spare'), 'tasks/t.ts': "import {task} from 'capsule';\nexport const confined = task({isolation: 'sandbox'}, () => 1);\n"});
    home.removeOnCleanup(own);
    expect((await home.run(['project', 'add', own])).code).toBe(0);
    const spare = await waitFor(() => sandboxWorkersOf(own).length > 0, {timeoutMs: 20_000, what: 'a spare sandbox of the project'});
    expect(spare).toBe(true);
  });

  it('runs, with a scratch directory of its own', async () => {
    const {result, run} = await runAttached(home, 'sbx/scratch');
    expect(result.code, result.stderr).toBe(0);
    expect(run.result).toEqual({dir: '/scratch', note: 'kept for the attempt'});
  });

  it.each([
    ['/etc/shadow', /denied reading \/etc\/shadow/],
    [join(homedir(), '.ssh', 'id_rsa'), /denied reading .*\.ssh\/id_rsa/],
  ])('cannot read %s', async (path, what) => {
    await denied('reads', {path}, what);
  });

  it("cannot read the daemon's agent key, its environment, nor another project's file", async () => {
    await denied('reads', {path: join(home.home, 'agent.key')}, /denied reading .*agent\.key/);
    await denied('reads', {path: join(home.home, 'state.json')}, /denied reading .*state\.json/);
    // Its /proc is its own PID namespace's: the daemon is not in it.
    await denied('reads', {path: `/proc/${await home.daemonPid()}/environ`}, /denied reading \/proc\/\d+\/environ/);
    await denied('reads', {path: join(other, 'secret.txt')}, /denied reading .*secret\.txt/);
  });

  it('cannot write outside its scratch directory, nor follow a symlink planted in its project', async () => {
    await denied('writes', {path: join(project, 'planted.txt')}, /denied writing .*planted\.txt/);
    await denied('writes', {path: join(homedir(), 'capsule-sandbox-was-here')}, /denied writing/);
    await denied('reads', {path: join(project, 'leak')}, /denied reading .*leak: it is a symlink/);
  });

  it('cannot start a process (a fork bomb included) nor a worker thread', async () => {
    await denied('spawns', null, /starting a child process/);
    await denied('forkBomb', null, /starting a child process/);
    await denied('startsWorker', null, /starting a worker thread/);
  });

  it('reaches an allowed server through fetch only: the request is on its run; other hosts, TCP and the daemon socket are denied', async () => {
    const {result, run} = await runAttached(home, 'sbx/fetches', {url: `http://127.0.0.1:${port}/hello`});
    expect(result.code, result.stderr).toBe(0);
    expect(run.result).toEqual({status: 200, body: 'served /hello'});
    expect(run.attempts[0]!.requests).toEqual([{method: 'GET', host: `127.0.0.1:${port}`, status: 200, bytes: 13, durationMs: expect.any(Number), denied: false}]);
    const shown = await home.run(['show', run.id]);
    expect(shown.stdout).toMatch(new RegExp(`GET\\s+127\\.0\\.0\\.1:${port}\\s+200`));
    const off = await denied('fetches', {url: `http://localhost:${port}/`}, new RegExp(`denied a request to localhost:${port}`));
    expect(off.attempts[0]!.requests).toMatchObject([{host: `localhost:${port}`, status: 403, denied: true}]);
    await denied('connects', {port}, new RegExp(`denied a connection to 127\\.0\\.0\\.1:${port}`));
    await denied('connects', {path: join(home.home, 'run', 'daemon.sock')}, /denied a connection to .*daemon\.sock/);
  });

  it('is stopped by its scratch cap', async () => {
    await denied('fillsScratch', {megabytes: 1024}, /past the 64 MB cap/);
  });
});

describe('a project sandboxed by default', SLOW, () => {
  it('loads its entry modules in a sandbox too: their top level reads and writes nothing of the machine', async () => {
    const marker = join(home.home, 'written-at-import');
    const hostile = await makeProject({
      'capsule.toml': projectToml('hostile', '[defaults]\nisolation = "sandbox"\n'),
      'tasks/a.ts': `import {writeFileSync} from 'node:fs';\nimport {task} from 'capsule';\ntry { writeFileSync(${JSON.stringify(marker)}, 'x'); } catch {}\nexport const a = task(() => process.pid);\n`,
      'tasks/b.ts': `import {readFileSync} from 'node:fs';\nreadFileSync(${JSON.stringify(join(home.home, 'agent.key'))});\nexport {};\n`,
    });
    home.removeOnCleanup(hostile);
    const added = await home.run(['project', 'add', hostile]);
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/tasks\/b\.ts failed to load: .*denied reading .*agent\.key/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('a machine without bubblewrap', SLOW, () => {
  it('says so in daemon status and list, and fails sandboxed runs at once saying how to fix it', async () => {
    const bare = await TestHome.create();
    try {
      // No bwrap on the daemon's PATH; node is found by its own path.
      expect((await bare.run(['daemon', 'start'], {env: {PATH: '/nonexistent'}})).code).toBe(0);
      // A task that asks for the sandbox itself, in a project whose modules load as usual.
      const own = await makeProject({'capsule.toml': projectToml('own'), 'tasks/t.ts': "import {task} from 'capsule';\nexport const confined = task({isolation: 'sandbox'}, () => 1);\n"});
      bare.removeOnCleanup(own);
      expect((await bare.run(['project', 'add', own])).code).toBe(0);
      // One sandboxed by default loads its modules in a sandbox: it cannot load at all.
      const refused = await bare.run(['project', 'add', project]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/sbx sandboxes its tasks by default .* none can be made here: bubblewrap \(bwrap\) is not installed/);
      const status = await bare.run(['daemon', 'status']);
      expect(status.stdout).toMatch(/sandbox\s+unavailable: bubblewrap \(bwrap\) is not installed/);
      const listed = await bare.run(['list']);
      expect(listed.stdout).toMatch(/sandboxed tasks cannot run here \(own\/confined\): bubblewrap/);
      const {result, run} = await runAttached(bare, 'own/confined');
      expect(result.code).toBe(1);
      expect(run.error).toMatchObject({type: 'sandbox_unavailable', message: expect.stringMatching(/apt-get install bubblewrap/)});
      expect(run.attempts).toHaveLength(1);
    } finally {
      await bare.cleanup();
    }
  });
});

/** The sandboxed workers there are now whose bubblewrap mounts `root`. */
function sandboxWorkersOf(root: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return command.includes('sandbox-worker.js') && command.includes(`\0${root}\0`);
      } catch {
        return false;
      }
    })
    .map(Number);
}
