import {execFile, spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {afterEach, describe, expect, it} from 'vitest';
import {BIN, TestHome, eachTestHome, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';

const run = promisify(execFile);
const HAS_TMUX = spawnSync('tmux', ['-V'], {stdio: 'ignore'}).status === 0;

/** A tmux server of its own (its socket in the test's home) running one session, killed by close(). */
class Tmux {
  private constructor(private readonly socket: string) {}

  static async start(home: TestHome, command: string, size = {columns: 120, rows: 40}): Promise<Tmux> {
    const tmux = new Tmux(join(home.home, 'tmux.sock'));
    await tmux.run('new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), '-s', 'dash', command);
    return tmux;
  }

  run(...args: string[]): Promise<{stdout: string}> {
    // CI=true reaches the dashboard through the tmux server: it must draw live all the same.
    return run('tmux', ['-S', this.socket, ...args], {env: {...process.env, CI: 'true'}});
  }

  /** Keys by tmux name (Enter, Escape) or literal text with `literal`. */
  async keys(keys: string, literal = false): Promise<void> {
    await this.run('send-keys', '-t', 'dash', ...(literal ? ['-l', keys] : [keys]));
  }

  async screen(): Promise<string> {
    return (await this.run('capture-pane', '-p', '-t', 'dash')).stdout;
  }

  /** Polls the screen until `check` holds; a timeout shows the last screen. */
  async waitFor(check: string | RegExp | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
    const test = typeof check === 'string' ? (text: string) => text.includes(check) : check instanceof RegExp ? (text: string) => check.test(text) : check;
    let last = '';
    try {
      return await waitFor(
        async () => {
          last = await this.screen();
          return test(last) ? last : null;
        },
        {timeoutMs, intervalMs: 100, what: String(check)},
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\nlast screen:\n${last}`);
    }
  }

  async close(): Promise<void> {
    await this.run('kill-server').catch(() => undefined);
  }
}

const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

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
    const command = `CAPSULE_HOME=${quote(home.home)} NO_COLOR=1 ${quote(process.execPath)} ${quote(BIN)} dashboard; echo "[dashboard exited $?]"; sleep 600`;
    return Tmux.start(home, command);
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
    const after = await tmux.waitFor('[dashboard exited 0]');
    expect(after).not.toContain('Projects');
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
      await tmux.waitFor('[dashboard exited 0]');
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
