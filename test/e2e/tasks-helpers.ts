// Shared by the task end-to-end tests: the fixture projects and polling on runs through the real CLI.
import {join} from 'node:path';
import {expect} from 'vitest';
import type {RunRecord, RunStatus} from '../../src/protocol/index.js';
import {ROOT, type CliResult, type TestHome, waitFor} from '../helpers/cli.js';

export const PROJECTS = join(ROOT, 'test', 'fixtures', 'projects');
export const E2E_PROJECT = join(PROJECTS, 'e2e');

const FINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** Starts the daemon with `env` added to its environment, and registers the e2e fixture project. */
export async function startWithProject(home: TestHome, env: NodeJS.ProcessEnv = {}, root = E2E_PROJECT): Promise<void> {
  const start = await home.run(['daemon', 'start'], {env});
  expect(start.code, start.stderr).toBe(0);
  const added = await home.run(['project', 'add', root]);
  expect(added.code, added.stderr).toBe(0);
}

/** `capsule run … --detach`: the id it printed. */
export async function submit(home: TestHome, target: string, input: unknown = {}): Promise<string> {
  const result = await home.run(['run', target, '--detach', '--input', JSON.stringify(input)]);
  expect(result.code, result.stderr).toBe(0);
  const id = result.stdout.trim();
  expect(id).toMatch(/^run_[A-Za-z0-9_-]+$/);
  return id;
}

export function show(home: TestHome, runId: string): Promise<RunRecord> {
  return home.json<RunRecord>(['show', runId]);
}

/** Polls `capsule show` until the run satisfies `check`. */
export function waitForRun(home: TestHome, runId: string, check: (run: RunRecord) => boolean, what: string, timeoutMs = 20_000): Promise<RunRecord> {
  return waitFor(
    async () => {
      const run = await show(home, runId);
      return check(run) ? run : null;
    },
    {timeoutMs, intervalMs: 100, what: `${runId} ${what}`},
  );
}

export function waitForFinal(home: TestHome, runId: string, timeoutMs = 20_000): Promise<RunRecord> {
  return waitForRun(home, runId, (run) => FINAL.has(run.status), 'to reach a final state', timeoutMs);
}

/** Polls `capsule logs RUN` until a line contains `text` (tasks log "ready" once they run). */
export function waitForLog(home: TestHome, runId: string, text: string, timeoutMs = 20_000): Promise<string> {
  return waitFor(
    async () => {
      const logs = await home.run(['logs', runId]);
      return logs.stdout.includes(text) ? logs.stdout : null;
    },
    {timeoutMs, intervalMs: 100, what: `${runId} to log "${text}"`},
  );
}

/** An attached `capsule run TARGET --json`: its exit code and the final record it printed. */
export async function runAttached(home: TestHome, target: string, input: unknown = {}): Promise<{result: CliResult; run: RunRecord}> {
  const result = await home.run(['run', target, '--json', '--input', JSON.stringify(input)]);
  let run: RunRecord;
  try {
    run = JSON.parse(result.stdout) as RunRecord;
  } catch {
    throw new Error(`capsule run ${target} --json printed no JSON (exit ${result.code})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return {result, run};
}

/** Each test runs a dozen CLI commands against a daemon and real workers: seconds each on a loaded 2-core machine. */
export const SLOW = {timeout: 120_000};
