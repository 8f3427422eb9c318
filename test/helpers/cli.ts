import {execFile, spawn, type ChildProcess} from 'node:child_process';
import {afterEach, beforeEach} from 'vitest';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {startRedis, type RedisServer} from '../bench/redis-server.js';
import {connect} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {isAlive} from '../../src/lib/process.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'run.js');

/**
 * What a spawned CLI prints, as it arrives. `closed` settles with the exit code once the output
 * is all read: 'exit' may come while the last of it is still in the pipes.
 */
export interface Collected {
  readonly stdout: string;
  readonly stderr: string;
  /** Both, in the order they arrived. */
  readonly text: string;
  readonly closed: Promise<number | null>;
}

export function collect(child: ChildProcess): Collected {
  const output = {stdout: '', stderr: '', text: '', closed: new Promise<number | null>((resolve) => child.once('close', (code: number | null) => resolve(code)))};
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
    output.text += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
    output.text += chunk;
  });
  return output;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A temporary CAPSULE_HOME with helpers to run the real CLI against it. `cleanup()` stops the
 * daemon it started (SIGKILL if it will not stop) and everything else spawned, then removes
 * the directory.
 */
export class TestHome {
  private readonly children = new Set<ChildProcess>();
  /** Directories a test made beside the home (projects, gates, scratch), removed with it. */
  private readonly owned: string[] = [];
  /** CAPSULE_TEST_BACKEND=redis: the redis-server of this home's daemon, a backend of its own. */
  private redis: RedisServer | null = null;

  private constructor(readonly home: string) {}

  /**
   * Under CAPSULE_TEST_BACKEND=redis (the `redis` project of vitest.config.ts), the home's daemon
   * is a node on a redis-server of its own, started here: the same tests, run on the Redis backend.
   */
  static async create(): Promise<TestHome> {
    // Short paths: unix socket paths are capped at 108 bytes.
    const home = new TestHome(await mkdtemp(join(tmpdir(), 'cap-')));
    if (process.env.CAPSULE_TEST_BACKEND === 'redis') {
      home.redis = await startRedis();
      await writeFile(join(home.home, 'daemon.toml'), `backend = "${home.redis.url}"\nnode = "test"\n`);
    }
    return home;
  }

  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {...process.env, CAPSULE_HOME: this.home, NO_COLOR: '1'};
    delete env.CAPSULE_NO_AUTOSTART;
    return env;
  }

  /** `wrap`: a command that runs the CLI for it, given node and its arguments last (`unshare … sh -c '…; exec "$0" "$@"'`). */
  run(args: string[], options: {env?: NodeJS.ProcessEnv; input?: string; cwd?: string; wrap?: string[]} = {}): Promise<CliResult> {
    const [program, ...argv] = [...(options.wrap ?? []), process.execPath, BIN, ...args] as [string, ...string[]];
    return new Promise((resolve) => {
      const child = execFile(program, argv, {env: {...this.env, ...options.env}, cwd: options.cwd ?? ROOT, maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({code, stdout, stderr});
      });
      if (options.input !== undefined) child.stdin?.end(options.input);
      else child.stdin?.end();
    });
  }

  /** Runs and parses `--json` output; fails the test with the CLI's output if it is not JSON. */
  async json<T = unknown>(args: string[]): Promise<T> {
    const result = await this.run([...args, '--json']);
    try {
      return JSON.parse(result.stdout) as T;
    } catch {
      throw new Error(`capsule ${args.join(' ')} --json printed no JSON (exit ${result.code})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    }
  }

  /** A long-running CLI process (e.g. `logs -f`, attached `run`), killed by cleanup(). */
  spawn(args: string[]): ChildProcess {
    const child = spawn(process.execPath, [BIN, ...args], {env: this.env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe']});
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Removes `path` in cleanup(), after the daemon has stopped using it. */
  removeOnCleanup(...paths: string[]): void {
    this.owned.push(...paths);
  }

  /** A new empty directory outside the home, removed by cleanup(). */
  async scratch(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.owned.push(dir);
    return dir;
  }

  async daemonPid(): Promise<number | null> {
    try {
      const pid = Number.parseInt(await readFile(join(this.home, 'daemon.pid'), 'utf8'), 10);
      return Number.isInteger(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  async cleanup(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    const pid = await this.daemonPid();
    if (pid !== null && isAlive(pid)) {
      await this.run(['daemon', 'stop', '--timeout', '2s']);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), {timeoutMs: 10_000, what: `daemon ${pid} to exit`});
    }
    await rm(this.home, {recursive: true, force: true});
    for (const path of this.owned.splice(0)) await rm(path, {recursive: true, force: true});
    await this.redis?.stop();
    this.redis = null;
  }
}

/**
 * A fresh TestHome for each test of the calling file, given to `onCreate`, and cleaned up after
 * the test. Registered first in a file, its cleanup runs after the file's own afterEach hooks
 * (vitest runs them in reverse), so a test's clients and terminals close before the daemon stops.
 */
export function eachTestHome(onCreate: (home: TestHome) => void | Promise<void>): void {
  let current: TestHome | undefined;
  beforeEach(async () => {
    current = await TestHome.create();
    await onCreate(current);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
}


/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(check: () => T | Promise<T>, {timeoutMs = 10_000, intervalMs = 25, what = 'condition'} = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export {isAlive};

/** Sends raw lines on the daemon socket and collects reply lines until `count` arrive or the peer closes. */
export function rawExchange(socketPath: string, payload: string | Buffer, count: number): Promise<{replies: unknown[]; closed: boolean}> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const replies: unknown[] = [];
    let buffer = '';
    const finish = (closed: boolean) => {
      socket.destroy();
      resolve({replies, closed});
    };
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let newline;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        replies.push(JSON.parse(buffer.slice(0, newline)));
        buffer = buffer.slice(newline + 1);
      }
      if (replies.length >= count) finish(false);
    });
    socket.on('connect', () => socket.write(payload));
    setTimeout(() => reject(new Error(`no ${count} replies within 10s (got ${JSON.stringify(replies)})`)), 10_000).unref();
  });
}
