// Code sessions, end to end: the real CLI, daemon, host processes and bubblewrap sandboxes.
import {readdirSync, readFileSync} from 'node:fs';
import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {connect, type CapsuleClient} from '../../src/client/public.js';
import {TestHome, collect, isAlive, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import {HAS_TMUX, Tmux, capsuleInTmux} from '../helpers/tmux.js';
import type {ExecutionResult, SessionSummary} from '../../src/protocol/index.js';

const HAS_BWRAP = (await import('node:child_process')).spawnSync('bwrap', ['--version'], {stdio: 'ignore'}).status === 0;

let home: TestHome;
let client: CapsuleClient;
/** Where a sandboxed session must not read: a fake home with a key in .ssh. */
let secretHome: string;
/** The `lab` project's directory. */
let labRoot: string;

beforeAll(async () => {
  home = await TestHome.create();
  secretHome = await home.scratch('cap-user-');
  await mkdir(join(secretHome, '.ssh'));
  await writeFile(join(secretHome, '.ssh', 'id_ed25519'), 'PRIVATE KEY');
  const root = (labRoot = await makeProject({
    'capsule.toml': projectToml('lab'),
    'tasks.ts': `import {task} from 'capsule';\nexport const noop = task(async () => 1);\n`,
    'lib/stats.ts': `export function mean(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0) / xs.length;\n}\n`,
  }));
  home.removeOnCleanup(root);
  // Niced: the 100 sessions' starts below must not starve the e2e file running beside this one.
  const started = await home.run(['daemon', 'start'], {env: {HOME: secretHome}, wrap: ['nice', '-n', '10']});
  expect(started.code, started.stderr).toBe(0);
  const added = await home.run(['project', 'add', root]);
  expect(added.code, added.stderr).toBe(0);
  client = await connect({home: home.home, autostart: false});
}, 60_000);

afterAll(async () => {
  client?.close();
  await home?.cleanup();
  // Nothing of this home's sessions is left: a host names its socket in its environment, a sandbox's bubblewrap in its arguments.
  await waitFor(() => processesNaming(home.home).length === 0, {timeoutMs: 10_000, what: `the session processes of ${home.home} to end: ${processesNaming(home.home).join(', ')}`});
}, 60_000);

function processesNaming(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const read = (file: string) => {
      try {
        return readFileSync(`/proc/${entry}/${file}`, 'utf8');
      } catch {
        return '';
      }
    };
    if (read('cmdline').includes(text) || read('environ').includes(text)) found.push(Number(entry));
  }
  return found;
}

async function newSession(args: string[] = []): Promise<string> {
  const opened = await home.json<SessionSummary>(['session', 'new', ...args]);
  expect(opened.state, JSON.stringify(opened)).toBe('idle');
  return opened.id;
}

describe('capsule exec', () => {
  it('keeps what one snippet declares for the next: variables, functions, classes, top-level await, TypeScript', async () => {
    const id = await newSession();
    const first = await home.run(['exec', id, 'const answer: number = 41;\nasync function later(x: number) { await new Promise((r) => setTimeout(r, 20)); return x + 1; }\nclass Box { constructor(readonly v: number) {} }']);
    expect(first.code, first.stderr).toBe(0);
    const second = await home.run(['exec', id, 'console.log("computing"); const got = await later(answer); new Box(got).v']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe('computing\n42\n');
    const json = await home.json<ExecutionResult>(['exec', id, '({got, kind: typeof later})']);
    expect(json.value).toEqual({got: 42, kind: 'function'});
    // From a file and from standard input.
    const file = join(await home.scratch('cap-snippet-'), 'step.ts');
    await writeFile(file, 'const doubled: number = got * 2;\ndoubled');
    expect((await home.run(['exec', id, '-f', file])).stdout).toBe('84\n');
    expect((await home.run(['exec', id], {input: 'doubled + 1'})).stdout).toBe('85\n');
    await home.run(['session', 'close', id]);
  });

  it("imports a project module relative to the project, in a session opened for it", async () => {
    const id = await newSession(['--project', 'lab']);
    const imported = await home.run(['exec', id, 'import {mean} from "./lib/stats.ts"; mean([1, 2, 3, 6])']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toBe('3\n');
    expect((await home.run(['exec', id, 'mean([10])'])).stdout).toBe('10\n');
    await home.run(['session', 'close', id]);
    // --project as a directory: the project it is in.
    const byPath = await home.json<SessionSummary>(['session', 'new', '--project', join(labRoot, 'lib')]);
    expect(byPath.project).toBe('lab');
    await home.run(['session', 'close', byPath.id]);
    const unregistered = await home.run(['session', 'new', '--project', secretHome]);
    expect(unregistered.code).toBe(2);
    expect(unregistered.stderr).toContain(`no project is registered for ${secretHome}`);
  });

  it("reports a thrown error with a stack in the snippet's own lines, exits 1, and the namespace lives on", async () => {
    const id = await newSession();
    await home.run(['exec', id, 'const kept = "still here"']);
    const failed = await home.run(['exec', id, 'type N = number;\nfunction check(n: N) {\n  if (n > 1) throw new RangeError("too big: " + n);\n}\ncheck(5)']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('RangeError: too big: 5');
    expect(failed.stderr).toMatch(/at check \(snippet-2\.ts:3:\d+\)/);
    expect(failed.stderr).toMatch(/snippet-2\.ts:5:\d+/);
    expect(failed.stderr).not.toContain('session-host');
    const syntax = await home.run(['exec', id, 'const = 3']);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toContain('snippet-3.ts');
    expect((await home.run(['exec', id, 'kept'])).stdout).toBe("'still here'\n");
    await home.run(['session', 'close', id]);
  });

  it('refuses bad input by naming it, and the daemon keeps running', async () => {
    const unknown = await home.run(['exec', 'snope', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no session snope');
    expect(unknown.stderr).toContain('capsule session list');
    const ram = await home.run(['session', 'new', '--ram', 'lots']);
    expect(ram.code).toBe(2);
    expect(ram.stderr).toContain('--ram');
    const tiny = await home.run(['session', 'new', '--ram', '8MB']);
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toContain('--ram 8MB is too little');
    expect(tiny.stderr).toContain('at least 96MB');
    const project = await home.run(['session', 'new', '--project', 'labb']);
    expect(project.code).toBe(2);
    expect(project.stderr).toContain('did you mean "lab"');
    const noCode = await home.run(['exec', 'snope', '--file', '/nonexistent/x.ts']);
    expect(noCode.code).toBe(2);
    expect(noCode.stderr).toContain('--file /nonexistent/x.ts');
    expect((await home.run(['daemon', 'status'])).code).toBe(0);
  });
});

describe('the client', () => {
  it('streams output as it is written and answers input() through respondInput', async () => {
    const session = await client.session();
    const seen: string[] = [];
    for await (const message of session.stream('for (const n of [1, 2]) { console.log("line " + n); await new Promise((r) => setTimeout(r, 30)); }\nconst name = await input("Your name: ");\n"hello " + name')) {
      if (message.type === 'output') seen.push(message.text);
      if (message.type === 'input') {
        seen.push(`asked ${message.prompt}`);
        await session.respondInput(message.inputId, 'Ada');
      }
      if (message.type === 'result') seen.push(`value ${String(message.result.value)}`);
    }
    expect(seen).toEqual(['line 1\n', 'line 2\n', 'asked Your name: ', 'value hello Ada']);
    const result = await session.execute('console.error("warned"); name.length', {onInput: () => 'unused'});
    expect(result).toMatchObject({value: 3, stdout: '', stderr: 'warned\n'});
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    await session.close();
  });

  it('interrupts an endless loop and keeps the session, its names included', async () => {
    const session = await client.session();
    await session.execute('let counter = 7');
    const looping = session.execute('while (true) {}');
    await waitFor(async () => (await home.json<SessionSummary[]>(['session', 'list'])).find((each) => each.id === session.id)?.state === 'busy', {what: 'the loop to start'});
    await session.interrupt();
    const result = await looping;
    expect(result.error?.type).toBe('interrupted');
    expect(result.replaced).toBe(false);
    expect((await session.execute('counter + 1')).value).toBe(8);
    // An await that never settles is interrupted too.
    const waiting = session.execute('await new Promise(() => {})');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await session.interrupt();
    expect((await waiting).error?.type).toBe('interrupted');
    expect((await session.execute('counter')).value).toBe(7);
    await session.close();
  });

  it('ends a memory bomb with out_of_memory, tells the caller the session was replaced, and the fresh one works', async () => {
    const session = await client.session({ram: '256MB'});
    await session.execute('const before = 1');
    const pid = session.summary.pid!;
    const bomb = await session.execute('const hoard = []; while (true) hoard.push(new Array(1e6).fill(Math.random()));');
    expect(bomb.error?.type).toBe('out_of_memory');
    expect(bomb.replaced).toBe(true);
    expect(bomb.error?.message).toContain('replaced');
    await waitFor(() => !isAlive(pid), {what: `the old process ${pid} to end`});
    const after = await session.execute('typeof before');
    expect(after.value).toBe('undefined');
    const listed = (await home.json<SessionSummary[]>(['session', 'list'])).find((each) => each.id === session.id)!;
    expect(listed.replacements).toBe(1);
    expect(listed.pid).not.toBe(pid);
    const audit = await home.json<{events: {kind: string; target: string}[]}>(['audit', session.id]);
    expect(audit.events.map((event) => event.kind)).toContain('session.replace');
    await session.close();
  });

  it('a snippet past its timeout ends with a timeout error, and the session lives on', async () => {
    const session = await client.session();
    const result = await session.execute('await new Promise((r) => setTimeout(r, 60_000))', {timeout: '300ms'});
    expect(result.error?.type).toBe('timeout');
    expect(result.error?.message).toContain('300ms');
    expect((await session.execute('2 + 2')).value).toBe(4);
    await session.close();
  });
});

describe.skipIf(!HAS_BWRAP)('a sandboxed session', () => {
  it("is denied the user's ~/.ssh and the network, and reads its project", async () => {
    const session = await client.session({isolation: 'sandbox', project: 'lab'});
    const key = join(secretHome, '.ssh', 'id_ed25519');
    const denied = await session.execute(`import {readFileSync} from "node:fs"; readFileSync(${JSON.stringify(key)}, "utf8")`);
    expect(denied.error?.type).toBe('error');
    expect(denied.error?.message).toMatch(/sandbox denied/i);
    expect(denied.error?.message).not.toContain('PRIVATE KEY');
    const listing = await session.execute(`import {readdirSync} from "node:fs"; readdirSync(${JSON.stringify(join(secretHome, '.ssh'))})`);
    expect(listing.error?.message).toMatch(/sandbox denied/i);
    // A probe never throws (Node documents existsSync so): what the sandbox hides does not exist.
    const probed = await session.execute(`import {existsSync} from "node:fs"; import fs from "node:fs"; [existsSync(${JSON.stringify(key)}), fs.existsSync(${JSON.stringify(key)}), existsSync("./lib/stats.ts")]`);
    expect(probed.value).toEqual([false, false, true]);
    // Its home is its scratch directory: os.homedir() answers, and what is written there stays inside.
    const homeDir = await session.execute('import os from "node:os"; import {writeFileSync} from "node:fs"; writeFileSync(`${os.homedir()}/.cache-probe`, "x"); os.homedir()');
    expect(homeDir.value).toBe('/scratch');
    const network = await session.execute('await fetch("http://example.com/")');
    expect(network.error?.message).toMatch(/example\.com/);
    const imported = await session.execute('import {mean} from "./lib/stats.ts"; mean([2, 4])');
    expect(imported.value).toBe(3);
    await session.close();
  });

  it('without a project, works in an empty directory of its own: CAPSULE_HOME stays out of sight', async () => {
    const session = await client.session({isolation: 'sandbox'});
    const here = await session.execute('import {readdirSync} from "node:fs"; [process.cwd(), readdirSync(".")]');
    const [cwd, entries] = here.value as [string, string[]];
    expect(cwd).toContain(session.id);
    expect(entries).toEqual([]);
    const key = await session.execute(`import {readFileSync} from "node:fs"; readFileSync(${JSON.stringify(join(home.home, 'agent.key'))})`);
    expect(key.error?.message).toMatch(/sandbox denied/i);
    await session.close();
  });

  it('opens many at once, each in its own sandbox (bubblewrap reports each pid whole)', async () => {
    const sessions = await Promise.all(Array.from({length: 12}, () => client.session({isolation: 'sandbox'})));
    expect(new Set(sessions.map((session) => session.summary.pid)).size).toBe(12);
    const values = await Promise.all(sessions.map(async (session, index) => (await session.execute(`${index} * 3`)).value));
    expect(values).toEqual(sessions.map((_, index) => index * 3));
    await Promise.all(sessions.map((session) => session.close()));
  }, 60_000);
});

describe('a caller that goes away', () => {
  it('takes its snippet with it: one waiting for input() is interrupted, and the session serves the next caller', async () => {
    const session = await client.session();
    // Code on standard input leaves no terminal to answer input() on: exec refuses, and leaves.
    const refused = home.spawn(['exec', session.id]);
    refused.stdin!.end('const answer = await input("q? ")');
    const code = await new Promise<number | null>((resolve) => refused.once('exit', resolve));
    expect(code).toBe(2);
    const next = await session.execute('40 + 2', {timeout: '10s'});
    expect(next.value).toBe(42);
    // Killed mid-snippet: its await is given up, not left holding the session.
    const killed = home.spawn(['exec', session.id, 'await new Promise((resolve) => setTimeout(resolve, 60_000))']);
    await waitFor(async () => (await home.json<SessionSummary[]>(['session', 'list', '--json'])).find((each) => each.id === session.id)?.state === 'busy', {what: 'the snippet to run'});
    killed.kill('SIGKILL');
    expect((await session.execute('"free"', {timeout: '10s'})).value).toBe('free');
    // `capsule session interrupt` from another terminal ends a caller's snippet, which is told.
    const waiting = home.spawn(['exec', session.id, 'await new Promise((resolve) => setTimeout(resolve, 60_000))']);
    const output = collect(waiting);
    await waitFor(async () => (await home.json<SessionSummary[]>(['session', 'list', '--json'])).find((each) => each.id === session.id)?.state === 'busy', {what: 'the snippet to run'});
    const interrupted = await home.run(['session', 'interrupt', session.id]);
    expect(interrupted.code, interrupted.stderr).toBe(0);
    expect(await output.closed).toBe(1);
    expect(output.stderr).toContain('interrupted');
    const idle = await home.run(['session', 'interrupt', session.id]);
    expect(idle.code).toBe(1);
    expect(idle.stderr).toContain(`no snippet is running in ${session.id}`);
    await session.close();
  });
});

describe('many sessions', () => {
  it('refuses a session past daemon.toml\'s [sessions] max, saying how to make room; a session opened without limits takes the file\'s', async () => {
    const capped = await TestHome.create();
    try {
      await writeFile(join(capped.home, 'daemon.toml'), '[sessions]\nmax = 2\nwarm = 0\nidle_timeout = "90s"\nmax_age = "2h"\n');
      expect((await capped.run(['daemon', 'start'])).code).toBe(0);
      const first = await capped.json<SessionSummary>(['session', 'new', '--json']);
      expect(first).toMatchObject({idleTimeoutMs: 90_000, maxAgeMs: 7_200_000});
      const second = await capped.run(['session', 'new', '--idle-timeout', '5m']);
      expect(second.code).toBe(0);
      // The id alone on stdout, for `ID=$(capsule session new)`; what was opened on stderr.
      expect(second.stdout.trim()).toMatch(/^ses_[0-9a-f]+$/);
      expect(second.stderr).toContain(`${second.stdout.trim()}  (process, pid `);
      const refused = await capped.run(['session', 'new']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('2 sessions are open, the most this daemon keeps (daemon.toml: [sessions] max = 2)');
      expect(refused.stderr).toContain('capsule session close');
    } finally {
      await capped.cleanup();
    }
  }, 60_000);

  it('holds 100 sessions open at once, each with its own namespace', async () => {
    const sessions = await Promise.all(Array.from({length: 100}, () => client.session()));
    const pids = new Set(sessions.map((session) => session.summary.pid));
    expect(pids.size).toBe(100);
    await Promise.all(sessions.map((session, index) => session.execute(`const mine = ${index}`)));
    const values = await Promise.all(sessions.map(async (session) => (await session.execute('mine * 2')).value));
    expect(values).toEqual(sessions.map((_, index) => index * 2));
    const status = await home.json<{sessions: {idle: number; busy: number; lost: number}}>(['daemon', 'status']);
    expect(status.sessions.idle + status.sessions.busy).toBe(100);
    expect((await home.run(['daemon', 'status'])).stdout).toMatch(/sessions\s+100 open/);
    await Promise.all(sessions.map((session) => session.close()));
    for (const pid of pids) await waitFor(() => !isAlive(pid!), {what: `session process ${pid} to end`});
  }, 180_000);
});

describe.skipIf(!HAS_TMUX)('capsule session repl in a terminal (tmux)', () => {
  let tmux: Tmux | undefined;
  afterEach(async () => {
    await tmux?.close();
    tmux = undefined;
  });

  it('runs entries, continues an unfinished one, completes names, answers input() in place, and Ctrl-C interrupts', async () => {
    const id = await newSession();
    tmux = await Tmux.start(home, capsuleInTmux(home, ['session', 'repl', id]));
    await tmux.waitFor(/^>/m);
    await tmux.keys('function greet(who: string) {\r', true);
    await tmux.waitFor(/^\.\.\./m);
    await tmux.keys('  return "hi " + who;\r}\r', true);
    await tmux.keys('const greeting = greet(await input("Who? "))\r', true);
    await tmux.waitFor('Who? ');
    await tmux.keys('Grace\r', true);
    await tmux.keys('greeting\r', true);
    await tmux.waitFor("'hi Grace'");
    // Tab completes the common part, a second Tab lists the candidates.
    await tmux.keys('gree', true);
    await tmux.keys('Tab');
    await tmux.waitFor(/^> greet$/m);
    await tmux.keys('Tab');
    await tmux.waitFor(/greet\s+greeting/);
    await tmux.keys('ing.toUpperCase()\r', true);
    await tmux.waitFor("'HI GRACE'");
    await tmux.keys('while (true) {}\r', true);
    await waitFor(async () => (await home.json<SessionSummary[]>(['session', 'list'])).find((each) => each.id === id)?.state === 'busy', {what: 'the loop to start'});
    await tmux.keys('C-c');
    await tmux.waitFor('interrupted');
    await tmux.keys('greeting.length\r', true);
    await tmux.waitFor(/^8$/m);
    await tmux.keys('.exit\r', true);
    await tmux.waitFor('[capsule exited 0]');
    // The session was given by id: leaving the REPL keeps it.
    expect((await home.json<SessionSummary[]>(['session', 'list'])).find((each) => each.id === id)?.state).toBe('idle');
    await home.run(['session', 'close', id]);
  });
});

describe('across a daemon restart', () => {
  it('re-adopts an open session after `daemon restart` and after kill -9, and reports one whose process died meanwhile as lost', async () => {
    const kept = await newSession();
    const doomed = await newSession();
    await home.run(['exec', kept, 'const survivor = "alive"']);
    expect((await home.run(['daemon', 'restart'])).code).toBe(0);
    expect((await home.run(['exec', kept, 'survivor'])).stdout).toBe("'alive'\n");

    const daemonPid = (await home.daemonPid())!;
    const doomedPid = (await home.json<SessionSummary[]>(['session', 'list'])).find((each) => each.id === doomed)!.pid!;
    process.kill(daemonPid, 'SIGKILL');
    await waitFor(() => !isAlive(daemonPid), {what: 'the daemon to die'});
    process.kill(doomedPid, 'SIGKILL');
    await waitFor(() => !isAlive(doomedPid), {what: 'the session process to die'});
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    expect((await home.run(['exec', kept, 'survivor.toUpperCase()'])).stdout).toBe("'ALIVE'\n");
    const listed = await home.json<SessionSummary[]>(['session', 'list']);
    const lost = listed.find((each) => each.id === doomed)!;
    expect(lost.state).toBe('lost');
    expect(lost.reason).toContain(String(doomedPid));
    const refused = await home.run(['exec', doomed, '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('lost');
    await home.run(['session', 'close', doomed]);
    await home.run(['session', 'close', kept]);
    client.close();
    client = await connect({home: home.home, autostart: false});
  }, 60_000);

  it('closes a session idle past its timeout, and says so in the audit trail', async () => {
    const id = await newSession(['--idle-timeout', '1s']);
    await waitFor(async () => !(await home.json<SessionSummary[]>(['session', 'list'])).some((each) => each.id === id), {timeoutMs: 20_000, intervalMs: 250, what: 'the idle session to close'});
    const audit = await home.json<{events: {kind: string; actor: string; details: {reason?: string}}[]}>(['audit', id]);
    const closed = audit.events.find((event) => event.kind === 'session.close');
    expect(closed?.actor).toBe('capsule');
    expect(closed?.details.reason).toBe('idle for 1s');
  }, 30_000);
});
