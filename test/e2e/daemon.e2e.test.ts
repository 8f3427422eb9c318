import {statSync, existsSync} from 'node:fs';
import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {TestHome, eachTestHome, isAlive, rawExchange, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import {PROTOCOL_VERSION} from '../../src/protocol/index.js';

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

async function project(name: string, extra = '', files: Record<string, string> = {}): Promise<string> {
  const root = await makeProject({'capsule.toml': projectToml(name, extra), ...files});
  home.removeOnCleanup(root);
  return root;
}

describe('daemon lifecycle', () => {
  it('starts, reports status, lists an added project as a tree and as JSON, and stops', async () => {
    const start = await home.run(['daemon', 'start']);
    expect(start.code).toBe(0);
    const pid = await home.daemonPid();
    expect(start.stdout).toContain(`started capsule daemon (pid ${pid})`);
    expect(start.stdout).toContain(join(home.home, 'run', 'daemon.sock'));

    const status = await home.json<{pid: number; projectCount: number; home: string; rssBytes: number; uptimeMs: number}>(['daemon', 'status']);
    expect(status.pid).toBe(pid);
    expect(status.home).toBe(home.home);
    expect(status.projectCount).toBe(0);
    expect(status.rssBytes).toBeGreaterThan(0);

    const root = await project('reports', '[schedules.nightly]\ntask = "build_report"\ncron = "0 3 * * *"\n[services.api]\ncommand = ["node", "-e", "setInterval(() => {}, 1000)"]\n', {
      'tasks/report.ts': "import {task} from 'capsule';\nexport const buildReport = task({name: 'build_report'}, async () => 'ok');\n",
    });
    const added = await home.run(['project', 'add', root]);
    expect(added.code).toBe(0);

    const tree = await home.run(['list', '--tree']);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(/reports/);
    expect(tree.stdout).toMatch(/schedules[\s\S]*nightly/);
    expect(tree.stdout).toMatch(/services[\s\S]*api/);
    expect(tree.stdout).not.toContain('\u001B[');

    const listed = await home.json<{projects: {namespace: string; root: string; status: string; error: unknown; schedules: {name: string}[]; services: {name: string}[]; tasks: {name: string; module: string}[]}[]}>(['list']);
    expect(listed.projects).toHaveLength(1);
    expect(listed.projects[0]).toMatchObject({namespace: 'reports', root, status: 'ok', error: null, tasks: expect.any(Array)});
    expect(listed.projects[0]!.schedules.map((s) => s.name)).toEqual(['nightly']);
    expect(listed.projects[0]!.services.map((s) => s.name)).toEqual(['api']);
    expect(listed.projects[0]!.tasks.map((t) => [t.name, t.module])).toEqual([['build_report', 'tasks/report.ts']]);
    // A pipe on stdin is not an argument: oclif alone would read it as the missing namespace.
    const piped = await home.run(['list', '--json'], {input: 'nosuch\n'});
    expect(piped.code).toBe(0);
    expect((JSON.parse(piped.stdout) as {projects: unknown[]}).projects).toHaveLength(1);

    const stop = await home.run(['daemon', 'stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`stopped capsule daemon (pid ${pid})`);
    expect(isAlive(pid!)).toBe(false);
    expect(existsSync(join(home.home, 'run', 'daemon.sock'))).toBe(false);
    expect(existsSync(join(home.home, 'daemon.pid'))).toBe(false);
  });

  it('treats a second start as a no-op and keeps the socket directory private', async () => {
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    const pid = await home.daemonPid();
    const again = await home.run(['daemon', 'start']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already running (pid ${pid})`);
    expect(await home.daemonPid()).toBe(pid);
    expect(statSync(join(home.home, 'run')).mode & 0o777).toBe(0o700);
  });

  it('refuses --foreground when a daemon owns the home, saying which, with exit 1 (not the daemon process\'s own 75)', async () => {
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    const pid = await home.daemonPid();
    const foreground = await home.run(['daemon', 'start', '--foreground']);
    expect(foreground.code).toBe(1);
    expect(foreground.stderr).toContain(`a capsule daemon is already running (pid ${pid}) on ${join(home.home, 'run', 'daemon.sock')}`);
    expect(foreground.stderr).toContain('capsule daemon stop');
    const json = await home.run(['daemon', 'start', '--foreground', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'conflict'}});
    expect(await home.daemonPid()).toBe(pid);
  });

  it('exits 1 from --foreground when another daemon is starting in the home (the daemon process says so)', async () => {
    // What a racing starter holds while its daemon comes up.
    await mkdir(join(home.home, 'daemon.starting'), {recursive: true});
    const foreground = await home.run(['daemon', 'start', '--foreground']);
    expect(foreground.code).toBe(1);
    expect(foreground.stderr).toContain('another capsule daemon is starting in this CAPSULE_HOME');
  });

  it('ends two racing starts with exactly one daemon', async () => {
    const [first, second] = await Promise.all([home.run(['daemon', 'start', '--json']), home.run(['daemon', 'start', '--json'])]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const pids = [JSON.parse(first.stdout).pid, JSON.parse(second.stdout).pid];
    expect(pids[0]).toBe(pids[1]);
    expect(await home.daemonPid()).toBe(pids[0]);
  });

  it('cleans up after a daemon killed with -9 and reloads its projects', async () => {
    const root = await project('survivor');
    expect((await home.run(['project', 'add', root])).code).toBe(0);
    const pid = (await home.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), {what: 'the daemon to die'});
    expect(existsSync(join(home.home, 'run', 'daemon.sock'))).toBe(true);

    const start = await home.run(['daemon', 'start']);
    expect(start.code).toBe(0);
    const newPid = await home.daemonPid();
    expect(newPid).not.toBe(pid);
    const listed = await home.json<{projects: {namespace: string; status: string}[]}>(['list']);
    expect(listed.projects).toEqual([expect.objectContaining({namespace: 'survivor', status: 'ok'})]);
    const log = await home.run(['daemon', 'logs', '-n', '20']);
    expect(log.stdout).toContain(`removing stale pid file (pid ${pid} is not running)`);
  });

  it('serves 20 CLI processes at once', async () => {
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    const results = await Promise.all(Array.from({length: 20}, () => home.run(['daemon', 'status', '--json'])));
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).pid).toBe(await home.daemonPid());
    }
  });
});

describe('the quick start', () => {
  it('`up templates/basic` starts the daemon, registers the example and prints its tree', async () => {
    const up = await home.run(['up', 'templates/basic']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/^started capsule daemon \(pid \d+\)$/m);
    expect(up.stdout).toMatch(/◆ basic .*templates\/basic/);
    expect(up.stdout).toMatch(/tasks {2}2[\s\S]*hello[\s\S]*report/);
    expect(up.stdout).toMatch(/services {2}1[\s\S]*ticker/);
    const again = await home.run(['up', 'templates/basic', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({namespace: 'basic', status: 'ok'});
  });
});

describe('autostart', () => {
  it('starts the daemon for a command that needs it, and says so on stderr', async () => {
    const result = await home.run(['list']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^started capsule daemon \(pid \d+\)$/m);
    expect(await home.daemonPid()).not.toBeNull();
  });

  it('refuses with exit 3 under --no-autostart or CAPSULE_NO_AUTOSTART=1', async () => {
    const flag = await home.run(['list', '--no-autostart']);
    expect(flag.code).toBe(3);
    expect(flag.stderr).toContain('capsule daemon start');
    const env = await home.run(['list'], {env: {CAPSULE_NO_AUTOSTART: '1'}});
    expect(env.code).toBe(3);
    expect(await home.daemonPid()).toBeNull();
  });

  it('never starts the daemon for --version or help', async () => {
    expect((await home.run(['--version'])).code).toBe(0);
    expect((await home.run(['help'])).code).toBe(0);
    expect(await home.daemonPid()).toBeNull();
  });
});

describe('protocol robustness', () => {
  it('answers garbage and oversized messages with errors or a closed connection, and keeps serving', async () => {
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    const socket = join(home.home, 'run', 'daemon.sock');

    const garbage = await rawExchange(socket, 'this is not json\n{"id":"x"}\n[1,2]\n', 3);
    expect(garbage.replies).toHaveLength(3);
    for (const reply of garbage.replies) expect(reply).toMatchObject({id: null, ok: false, error: {code: 'bad_request'}});

    const hello = `${JSON.stringify({id: 1, method: 'hello', params: {protocol: PROTOCOL_VERSION, client: 'raw'}})}\n`;
    const unknown = await rawExchange(socket, `${hello}{"id":2,"method":"daemon.statuss","params":{}}\n`, 2);
    expect(unknown.replies[1]).toMatchObject({id: 2, ok: false, error: {code: 'bad_request', hint: expect.stringContaining('daemon.status')}});

    // Params the method's schema refuses: the reply names the field, what was expected and what came.
    const refused = await rawExchange(
      socket,
      `${hello}{"id":2,"method":"run.get","params":{"id":42}}\n{"id":3,"method":"run.list","params":{"limit":5000}}\n{"id":4,"method":"project.list","params":{"namespac":"x"}}\n{"id":5,"method":"run.submit","params":{"target":{"namespace":"a"}}}\n{"id":6,"method":"control.apply","params":{"verb":"reboot","target":"a/b"}}\n`,
      6,
    );
    expect(refused.replies.slice(1)).toMatchObject([
      {id: 2, ok: false, error: {code: 'bad_request', message: 'run.get: params.id: expected string, got number 42'}},
      {id: 3, ok: false, error: {code: 'bad_request', message: expect.stringMatching(/^run\.list: params\.limit: .*1000.*, got number 5000$/)}},
      {id: 4, ok: false, error: {code: 'bad_request', message: 'project.list: params.namespac: unknown field'}},
      {id: 5, ok: false, error: {code: 'bad_request', message: expect.stringContaining('params.target.task is required')}},
      {id: 6, ok: false, error: {code: 'bad_request', message: 'control.apply: params.verb: expected "restart" or "stop" or "start", got string "reboot"'}},
    ]);

    // 17 MiB without a newline: over the 16 MiB cap, so the daemon drops the connection, saying why.
    const oversized = await rawExchange(socket, Buffer.alloc(17 * 1024 * 1024, 0x61), 2);
    expect(oversized.closed).toBe(true);
    expect(oversized.replies).toEqual([{id: null, ok: false, error: expect.objectContaining({code: 'message_too_large'})}]);

    const status = await home.run(['daemon', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).pid).toBe(await home.daemonPid());
  });

  it('refuses a client that speaks another protocol version, with the fix', async () => {
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    const socket = join(home.home, 'run', 'daemon.sock');
    const {replies} = await rawExchange(socket, '{"id":1,"method":"hello","params":{"protocol":999,"client":"9.9.9"}}\n', 1);
    expect(replies[0]).toMatchObject({id: 1, ok: false, error: {code: 'protocol_mismatch', hint: expect.stringContaining('capsule daemon restart')}});
  });
});

describe('projects', () => {
  it('lists an invalid project with its error, keeps the others, and loads it after a fix', async () => {
    const good = await project('good');
    const bad = await makeProject({'capsule.toml': '[project]\nname = "Bad Name"\n'});
    home.removeOnCleanup(bad);
    expect((await home.run(['project', 'add', good])).code).toBe(0);
    const addBad = await home.run(['project', 'add', bad]);
    expect(addBad.code).toBe(2);
    expect(addBad.stderr).toContain('capsule.toml');

    const listed = await home.json<{projects: {namespace: string; status: string; error: {message: string} | null}[]}>(['list']);
    expect(listed.projects.find((p) => p.namespace === 'good')?.status).toBe('ok');
    const broken = listed.projects.find((p) => p.status === 'error');
    expect(broken?.error?.message).toBeTruthy();

    await writeFile(join(bad, 'capsule.toml'), projectToml('fixed'));
    const readd = await home.run(['project', 'add', bad]);
    expect(readd.code).toBe(0);
    const after = await home.json<{projects: {namespace: string; status: string}[]}>(['list']);
    expect(after.projects.map((p) => [p.namespace, p.status])).toEqual([['fixed', 'ok'], ['good', 'ok']]);
  });

  it('refuses a duplicate namespace naming both directories', async () => {
    const first = await project('twin');
    const second = await project('twin');
    expect((await home.run(['project', 'add', first])).code).toBe(0);
    const clash = await home.run(['project', 'add', second]);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain(first);
    expect(clash.stderr).toContain(second);
  });

  it('removes and reloads projects, and errors clearly on unknown ones', async () => {
    const root = await project('reports');
    expect((await home.run(['project', 'add', root])).code).toBe(0);
    expect((await home.run(['project', 'reload', 'reports'])).code).toBe(0);
    const typo = await home.run(['project', 'reload', 'reprots']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean "reports"?');
    expect((await home.run(['project', 'remove', 'reports'])).code).toBe(0);
    expect((await home.json<{projects: unknown[]}>(['project', 'list'])).projects).toEqual([]);
  });

  it('reloads a project by itself when its capsule.toml changes', async () => {
    const root = await project('watched');
    expect((await home.run(['project', 'add', root])).code).toBe(0);
    await writeFile(join(root, 'capsule.toml'), projectToml('watched', '[services.web]\ncommand = "sleep 100"\n'));
    await waitFor(async () => {
      const listed = await home.json<{projects: {services: {name: string}[]}[]}>(['list']);
      return listed.projects[0]?.services.some((service) => service.name === 'web');
    }, {what: 'the watcher to reload the project'});
  });
});

describe('audit', () => {
  it('reads a target with no events as empty, refuses an unknown one with a suggestion (exit 2), and never cuts piped output', async () => {
    const root = await project('reports', '[services.api]\ncommand = ["node", "-e", "setInterval(() => {}, 1000)"]\n', {
      'tasks/report.ts': "import {task} from 'capsule';\nexport const buildReport = task({name: 'build_report'}, async () => 'ok');\n",
    });
    expect((await home.run(['project', 'add', root])).code).toBe(0);

    const quiet = await home.run(['audit', 'reports/build_report']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout.trim()).toBe('no audit events');

    for (const [target, message, hint] of [
      ['reports/apx', 'reports has no service, task or schedule named "apx"', 'did you mean "reports/api"?'],
      ['report', 'no service, task, schedule or project is named "report"', 'did you mean "reports"?'],
      ['report/api', 'no project named "report"', 'did you mean "reports"?'],
      ['run_nope', 'no run run_nope', 'capsule runs'],
    ]) {
      const unknown = await home.run(['audit', target!]);
      expect(unknown.code, target).toBe(2);
      expect(unknown.stdout, target).toBe('');
      expect(unknown.stderr, target).toContain(message);
      expect(unknown.stderr, target).toContain(hint);
    }

    // A table row far wider than the 100 columns once assumed for output that is not a terminal
    // (this one is a pipe), the DETAILS cell last.
    expect((await home.run(['stop', 'reports/api'])).code).toBe(0);
    const {events} = await home.json<{events: {details: unknown}[]}>(['audit', 'reports/api']);
    const table = await home.run(['audit', 'reports/api']);
    expect(table.code).toBe(0);
    for (const event of events) expect(table.stdout).toContain(JSON.stringify(event.details));
    expect(Math.max(...table.stdout.split('\n').map((line) => line.length))).toBeGreaterThan(100);
    expect(table.stdout).not.toContain('…');
  });
});
