// Shared pieces of the benchmark: a temporary CAPSULE_HOME, timing, statistics.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'run.js');

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function round(value, digits = 1) {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

/**
 * Median wall time of `capsule ARGS` and of a bare `node -e ""`, in ms. Both run once first to
 * warm the file cache, then alternate, so machine noise hits both alike.
 */
export function versusBareNode(args, env, runs) {
  const bareArgs = ['-e', ''];
  const capsuleArgs = [BIN, ...args];
  timeCommand(process.execPath, bareArgs, env);
  timeCommand(process.execPath, capsuleArgs, env);
  const bare = [];
  const capsule = [];
  for (let index = 0; index < runs; index++) {
    bare.push(timeCommand(process.execPath, bareArgs, env));
    capsule.push(timeCommand(process.execPath, capsuleArgs, env));
  }
  return {capsuleMs: median(capsule), bareMs: median(bare)};
}

/** Wall time of one command in ms (spawnSync: includes process start and exit). */
export function timeCommand(command, args, env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {env, stdio: ['ignore', 'pipe', 'pipe']});
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

/** A process's resident set, in MB. */
export function rssMb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

/** Polls `probe` until it returns something truthy; throws naming `what` after `deadlineMs`. */
export async function waitFor(probe, what, {deadlineMs, intervalMs}) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`bench: gave up waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export class BenchHome {
  constructor() {
    this.home = mkdtempSync(join(tmpdir(), 'capb-'));
    this.env = {...process.env, CAPSULE_HOME: this.home, NO_COLOR: '1'};
    delete this.env.CAPSULE_NO_AUTOSTART;
  }

  capsule(...args) {
    return execFileSync(process.execPath, [BIN, ...args], {env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
  }

  /** A project directory under this home with a capsule.toml and optional files. */
  project(name, toml = '', files = {}) {
    const root = join(this.home, 'projects', name);
    mkdirSync(root, {recursive: true});
    writeFileSync(join(root, 'capsule.toml'), `[project]\nname = "${name}"\nentry = ["tasks/*.ts"]\n${toml}`);
    for (const [path, contents] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), {recursive: true});
      writeFileSync(join(root, path), contents);
    }
    return root;
  }

  close() {
    try {
      this.capsule('daemon', 'stop', '--timeout', '5s');
    } catch {
      // not running
    }
    rmSync(this.home, {recursive: true, force: true});
  }
}
