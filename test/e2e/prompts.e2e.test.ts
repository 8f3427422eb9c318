// Questions a run asks (ctx.prompt), answered by a person: in an attached `capsule run`, with `capsule answer`, off a terminal.
import {createHash} from 'node:crypto';
import {readdir, readFile} from 'node:fs/promises';
import {join, relative} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {TestHome, collect, eachTestHome, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import {HAS_TMUX, Tmux, capsuleInTmux} from '../helpers/tmux.js';

const SECRET = 'pw-Zq81-unseen';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const TASKS = `import {createHash} from 'node:crypto';
import {task} from 'capsule';
export const asker = task(async (_i, ctx) => ctx.prompt('Which color?', {choices: ['red', 'blue'], default: 'red', timeout: '1h'}));
export const two = task(async (_i, ctx) => {
  const first = await ctx.prompt('First name?', {timeout: '1h'});
  const last = await ctx.prompt('Last name?', {timeout: '1h'});
  return first + ' ' + last;
});
// The answer's digest proves the run got it, without the answer in its result or log.
export const login = task(async (_i, ctx) => {
  const password = await ctx.prompt('Password?', {secret: true, timeout: '1h'});
  ctx.log('got a password of ' + password.length + ' characters');
  return createHash('sha256').update(password).digest('hex');
});
`;

let home: TestHome;
let tmux: Tmux | undefined;

eachTestHome(async (created) => {
  home = created;
  const root = await makeProject({'capsule.toml': projectToml('ask'), 'tasks/ask.ts': TASKS});
  home.removeOnCleanup(root);
  const added = await home.run(['project', 'add', root]);
  expect(added.code, added.stderr).toBe(0);
});

afterEach(async () => {
  await tmux?.close();
  tmux = undefined;
});

/** The one run of the home waiting for an answer. */
async function waitingRun(): Promise<string> {
  return waitFor(
    async () => {
      const listed = await home.json<{runs: {id: string}[]}>(['runs', '--status', 'waiting']);
      return listed.runs[0]?.id ?? null;
    },
    {timeoutMs: 20_000, intervalMs: 100, what: 'a run waiting for an answer'},
  );
}

/** Every file under `dir` holding `text`, relative to it. */
async function filesHolding(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(text)) found.push(relative(dir, path));
  }
  return found;
}

describe.skipIf(!HAS_TMUX)('an attached capsule run in a terminal (tmux)', () => {
  it('asks the question, asks again after an answer that is not a choice, and the run succeeds with the answer', {timeout: 90_000}, async () => {
    tmux = await Tmux.start(home, capsuleInTmux(home, ['run', 'ask/asker']));
    await tmux.waitFor('? Which color? [red*/blue]');
    await tmux.keys('green\r', true);
    await tmux.waitFor('✗ "green" is not one of the choices of "Which color?": red, blue');
    await tmux.waitFor((screen) => screen.split('? Which color?').length === 3);
    await tmux.keys('blue\r', true);
    const screen = await tmux.waitFor('[capsule exited 0]');
    expect(screen).toMatch(/✓ ask\/asker run_\S+ succeeded/);
    expect(screen).toContain('"blue"');
  });

  it('asks two prompts in a row', {timeout: 90_000}, async () => {
    tmux = await Tmux.start(home, capsuleInTmux(home, ['run', 'ask/two']));
    await tmux.waitFor('? First name?');
    await tmux.keys('Ada\r', true);
    await tmux.waitFor('? Last name?');
    await tmux.keys('Lovelace\r', true);
    expect(await tmux.waitFor('[capsule exited 0]')).toContain('"Ada Lovelace"');
  });

  it('withdraws the question when it is answered elsewhere, and follows the run to its end', {timeout: 90_000}, async () => {
    tmux = await Tmux.start(home, capsuleInTmux(home, ['run', 'ask/asker']));
    await tmux.waitFor('? Which color?');
    const answered = await home.run(['answer', await waitingRun(), 'blue']);
    expect(answered.code, answered.stderr).toBe(0);
    const screen = await tmux.waitFor('[capsule exited 0]');
    expect(screen).toContain('"blue"');
  });

  it('Ctrl-C while the question is asked cancels the run, as it does while the run runs', {timeout: 90_000}, async () => {
    tmux = await Tmux.start(home, capsuleInTmux(home, ['run', 'ask/asker']));
    await tmux.waitFor('? Which color?');
    await tmux.keys('C-c');
    await tmux.waitFor('cancelling run_');
    const screen = await tmux.waitFor('[capsule exited 1]');
    expect(screen).toMatch(/run_\S+ cancelled/);
  });

  it('types a secret unseen; the run gets it, and it is in no log, audit, show or daemon log, only in the run store', {timeout: 90_000}, async () => {
    tmux = await Tmux.start(home, capsuleInTmux(home, ['run', 'ask/login']));
    await tmux.waitFor('? Password?');
    await tmux.keys(SECRET, true);
    // What has been typed so far is on no screen, before or after Enter.
    await tmux.waitFor((screen) => !screen.includes(SECRET));
    await tmux.keys('Enter');
    const screen = await tmux.waitFor('[capsule exited 0]');
    expect(screen).not.toContain(SECRET);
    expect(screen).toContain(sha256(SECRET));
    const runId = /run_\w+/.exec(screen)![0];

    const looks = [['show', runId], ['show', runId, '--json'], ['logs', runId], ['audit'], ['audit', '--json'], ['daemon', 'logs', '-n', '10000']];
    for (const args of looks) {
      const result = await home.run(args);
      expect(result.code, `capsule ${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(result.stdout + result.stderr, `capsule ${args.join(' ')}`).not.toContain(SECRET);
    }
    expect((await home.run(['logs', runId])).stdout).toContain('got a password of 14 characters');
    // The run's own state keeps it (it is the prompt's result, which a later attempt replays); nothing else does.
    const holding = await filesHolding(home.home, SECRET);
    expect(holding.filter((path) => path !== 'runs.journal.jsonl' && path !== 'runs.json'), holding.join(', ')).toEqual([]);
  });
});

describe.skipIf(!HAS_TMUX)('capsule answer in a terminal (tmux)', () => {
  it('shows the waiting question and sends what is typed', {timeout: 90_000}, async () => {
    const submitted = await home.run(['run', 'ask/asker', '--detach']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = submitted.stdout.trim();
    await waitingRun();
    tmux = await Tmux.start(home, capsuleInTmux(home, ['answer', runId]));
    await tmux.waitFor('? Which color? [red*/blue]');
    await tmux.keys('blue\r', true);
    expect(await tmux.waitFor('[capsule exited 0]')).toContain(`${runId}: answered`);
    await waitFor(async () => (await home.json<{status: string}>(['show', runId])).status === 'succeeded', {timeoutMs: 20_000, what: 'the run to succeed'});
    expect(await home.json(['show', runId])).toMatchObject({result: 'blue'});
  });
});

describe('an attached capsule run off a terminal', () => {
  it('does not read standard input: it says what is asked and how to answer, and follows the run once answered elsewhere', {timeout: 90_000}, async () => {
    const child = home.spawn(['run', 'ask/asker']);
    // A line on standard input is not taken as the answer.
    child.stdin!.write('blue\n');
    const output = collect(child);
    const runId = await waitingRun();
    await waitFor(() => output.stderr.includes(`capsule answer ${runId}`), {timeoutMs: 20_000, what: 'the hint on stderr'});
    expect(output.stderr).toContain('? Which color? [red/blue] (default red)');
    expect((await home.json<{status: string}>(['show', runId])).status).toBe('waiting');
    expect((await home.run(['answer', runId, ''])).code).toBe(0);
    expect(await output.closed).toBe(0);
    expect(output.stdout).toContain('"red"');
  });
});
