import {execFile, spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {BIN, waitFor, type TestHome} from './cli.js';

const run = promisify(execFile);
export const HAS_TMUX = spawnSync('tmux', ['-V'], {stdio: 'ignore'}).status === 0;

/** A tmux server of its own (its socket in the test's home) running one session, killed by close(). */
export class Tmux {
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

/** `value` as one word of a /bin/sh command line. */
export const shellQuote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

/** The shell command that runs `capsule ARGS` against `home` in a tmux pane, then says how it exited and keeps the pane open. */
export function capsuleInTmux(home: TestHome, args: string[]): string {
  return `CAPSULE_HOME=${shellQuote(home.home)} NO_COLOR=1 ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args.map(shellQuote).join(' ')}; echo "[capsule exited $?]"; sleep 600`;
}
