// A redis-server of its own for a test or a benchmark: a free loopback port (never the machine's
// default 6379) and a temporary directory, both gone once it is stopped. Shared by the bench's
// BullMQ peer and the cluster tests (typed by redis-server.d.ts beside it).
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export const REDIS_SERVER = '/usr/bin/redis-server';

const START_DEADLINE_MS = 10_000;

/** Starts one; `args` are more of its options (persistence, say). Rejects with ENOENT where there is no redis-server. */
export async function startRedis(args = []) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cap-redis-'));
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args], {stdio: ['ignore', 'pipe', 'pipe']});
  const spawned = new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  try {
    await spawned;
    const deadline = Date.now() + START_DEADLINE_MS;
    while (!output.includes('Ready to accept connections') && child.exitCode === null) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start within ${START_DEADLINE_MS} ms: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (child.exitCode !== null) throw new Error(`redis-server exited (status ${child.exitCode}): ${output}`);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, {recursive: true, force: true});
    throw error;
  }
  return {
    port,
    pid: child.pid,
    url: `redis://127.0.0.1:${port}/0`,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dir, {recursive: true, force: true});
    },
  };
}

/** A port nobody listens on now: the kernel's pick for a listener that is closed at once. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}
