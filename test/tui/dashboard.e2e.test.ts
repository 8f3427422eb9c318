import {afterEach, describe, expect, it} from 'vitest';
import {TestHome, eachTestHome} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import {HAS_TMUX, Tmux, capsuleInTmux} from '../helpers/tmux.js';

describe.skipIf(!HAS_TMUX)('the dashboard in a terminal (tmux)', () => {
  let home: TestHome;
  let tmux: Tmux | undefined;

  eachTestHome((created) => {
    home = created;
  });

  afterEach(async () => {
    await tmux?.close();
    tmux = undefined;
  });

  /** Registers the project with a started daemon and opens the dashboard on it in tmux. */
  async function openDashboard(root: string): Promise<Tmux> {
    home.removeOnCleanup(root);
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    const added = await home.run(['project', 'add', root]);
    expect(added.code, added.stderr).toBe(0);
    return Tmux.start(home, capsuleInTmux(home, ['dashboard']));
  }

  it('restarts a service and runs a task against a real daemon', {timeout: 90_000}, async () => {
    const root = await makeProject({
      'capsule.toml': projectToml('e2e', '\n[services.ticker]\ncommand = ["node", "-e", "setInterval(() => {}, 1000)"]\n'),
      'tasks/ping.ts': "import {task} from 'capsule';\nexport const ping = task({name: 'ping'}, async () => 'pong');\n",
    });
    tmux = await openDashboard(root);
    await tmux.waitFor('ticker');

    // Select the service through the filter, wait for it to run, then restart it.
    await tmux.keys('/');
    await tmux.waitFor('Filter the tree');
    await tmux.keys('ticker', true);
    await tmux.keys('Enter');
    const running = await tmux.waitFor(/Service e2e\/ticker[\s\S]*● (running|healthy) · restarts \d+ · pid \d+/);
    const restarts = Number(/restarts (\d+)/.exec(running)![1]);
    await tmux.keys('r');
    await tmux.waitFor('Restart e2e/ticker?');
    await tmux.keys('y');
    await tmux.waitFor((screen) => Number(/restarts (\d+)/.exec(screen)?.[1] ?? -1) > restarts);
    await tmux.waitFor('✓ restarted e2e/ticker');

    // Select the task, run it with the prefilled input, and watch its run succeed.
    await tmux.keys('/');
    await tmux.waitFor('Filter the tree');
    await tmux.keys('ping', true);
    await tmux.keys('Enter');
    await tmux.waitFor('Task e2e/ping');
    await tmux.keys('t');
    await tmux.waitFor('Run e2e/ping with input (JSON)');
    await tmux.keys('Enter');
    await tmux.waitFor(/✓ submitted \S+ for e2e\/ping/);
    // Its only run, listed in the task's details (the tree line says "last succeeded" instead).
    await tmux.waitFor((screen) => screen.includes('Task e2e/ping') && screen.includes('✓ succeeded'));

    // q leaves the terminal as it was.
    await tmux.keys('q');
    const after = await tmux.waitFor('[capsule exited 0]');
    expect(after).not.toContain('Projects');
  });

  it('lists a code session opened from the CLI, shows what its snippet prints, and closes it with s', {timeout: 90_000}, async () => {
    tmux = await openDashboard(await makeProject({'capsule.toml': projectToml('e2e')}));
    await tmux.waitFor('Projects');
    const opened = await home.run(['session', 'new', '--project', 'e2e', '--json']);
    expect(opened.code, opened.stderr).toBe(0);
    const {id} = JSON.parse(opened.stdout) as {id: string};
    await tmux.waitFor(new RegExp(`${id}\\s+idle · e2e · 0 snippets`));
    await tmux.keys('/');
    await tmux.waitFor('Filter the tree');
    await tmux.keys(id, true);
    await tmux.keys('Enter');
    await tmux.waitFor(`Session ${id}`);
    await tmux.waitFor(`${id} (its snippets' output from now on)`);

    const executed = await home.run(['exec', id, 'for (const n of [1, 2]) console.log(`line ${n} from the snippet`); 40 + 2']);
    expect(executed.code, executed.stderr).toBe(0);
    expect(executed.stdout).toContain('42');
    const screen = await tmux.waitFor('line 2 from the snippet');
    expect(screen).toContain('line 1 from the snippet');
    await tmux.waitFor(new RegExp(`${id}\\s+idle · e2e · 1 snippet`));

    await tmux.keys('s');
    await tmux.waitFor(`Close session ${id}?`);
    await tmux.keys('y');
    await tmux.waitFor(`✓ closed ${id}`);
    await tmux.waitFor((text) => !text.includes(`Session ${id}`));
    const listed = await home.run(['session', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as {id: string}[]).map((session) => session.id)).not.toContain(id);
  });

  it('answers a waiting run\'s question from the board with a', {timeout: 90_000}, async () => {
    const root = await makeProject({
      'capsule.toml': projectToml('e2e'),
      'tasks/asker.ts': "import {task} from 'capsule';\nexport const asker = task(async (_i, ctx) => ctx.prompt('Which color?', {choices: ['red', 'blue'], default: 'red', timeout: '1h'}));\n",
    });
    tmux = await openDashboard(root);
    const submitted = await home.run(['run', 'e2e/asker', '--detach']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = submitted.stdout.trim();
    await tmux.waitFor('asker');
    await tmux.keys('/asker\r', true);
    await tmux.waitFor((screen) => screen.includes('Task e2e/asker') && !screen.includes('Filter the tree'));
    await tmux.keys('b');
    await tmux.waitFor('Board · e2e/asker');
    await tmux.keys('Right');
    await tmux.waitFor(`Steps of ${runId} · a answers its question`);
    await tmux.keys('a');
    await tmux.waitFor(`Answer ${runId} (prompt#1): Which color?`);
    await tmux.keys('green\r', true);
    await tmux.waitFor('✗ "green" is not one of the choices of "Which color?": red, blue');
    await tmux.keys('C-u');
    await tmux.keys('blue\r', true);
    await tmux.waitFor(`answered prompt#1 of ${runId}`);
    const shown = await home.json<{status: string; result: unknown}>(['show', runId]);
    expect(shown).toMatchObject({result: 'blue'});
    await tmux.waitFor(/✓ succeeded 1/);
    await tmux.keys('q');
    await tmux.waitFor('[capsule exited 0]');
  });

  describe('keys arriving together', () => {
    it('a filter and an action\'s arguments typed in one write each (as a paste sends them) reach their prompts, Enter included', {timeout: 90_000}, async () => {
      const sleeper = '["node", "-e", "setInterval(() => {}, 1000)"]';
      const root = await makeProject({
        'capsule.toml': projectToml('e2e', `\n[services.ticker]\ncommand = ${sleeper}\n\n[services.web]\ncommand = ${sleeper}\n\n[services.web.actions.greet]\ncommand = 'echo "hello $CAPSULE_ARG_WHO"'\n`),
      });
      tmux = await openDashboard(root);
      await tmux.waitFor('ticker');
      // One write: "/", the name and Enter, as tmux types a literal string into the pane at once.
      await tmux.keys('/web\r', true);
      await tmux.waitFor((screen) => screen.includes('Service e2e/web') && !screen.includes('Filter the tree'));
      await tmux.keys('a');
      await tmux.waitFor('Run an action of e2e/web');
      await tmux.keys('1');
      await tmux.waitFor('Run greet on e2e/web with arguments');
      await tmux.keys('who="the world"\r', true);
      await tmux.waitFor('✓ greet on e2e/web exited 0: hello the world');
      await tmux.keys('q');
      await tmux.waitFor('[capsule exited 0]');
    });
  });
});

describe('the dashboard without a terminal', () => {
  let home: TestHome;

  eachTestHome((created) => {
    home = created;
  });

  it('`capsule dashboard` says it needs a terminal (exit 2); `capsule` alone prints help', async () => {
    const dashboard = await home.run(['dashboard', '--no-autostart']);
    expect(dashboard.code).toBe(2);
    expect(dashboard.stderr).toContain('the dashboard needs a terminal, but standard input and standard output are not one');
    expect(dashboard.stderr).toContain('capsule list --json');
    const bare = await home.run([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('USAGE');
    expect(bare.stdout).toContain('dashboard');
    expect(await home.daemonPid()).toBeNull();
  });
});
