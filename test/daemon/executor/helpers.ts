import {fileURLToPath} from 'node:url';
import type {AttemptHooks, AttemptOutcome, AttemptRequest, Isolation} from '../../../daemon/runner/executor-api.js';
import type {LogLevel} from '../../../src/protocol/index.js';
import {isAlive} from '../../../src/lib/process.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/tasks/', import.meta.url));
export const MB = 1024 * 1024;

/** What a test task sees as its whole environment. */
export const BASE_ENV = {PATH: '/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8', TZ: 'UTC'};

let runs = 0;

export function attemptRequest(file: string, exportName: string, overrides: Partial<AttemptRequest> = {}): AttemptRequest {
  return {
    modulePath: `${FIXTURES}${file}`,
    exportName,
    runId: `run_test${++runs}`,
    namespace: 'fixtures',
    task: exportName,
    attempt: 1,
    input: null,
    isolation: 'thread' satisfies Isolation,
    limits: {ramBytes: 256 * MB, timeoutMs: 20_000, computeMs: 20_000},
    sandbox: null,
    env: BASE_ENV,
    cwd: FIXTURES,
    memo: [],
    ...overrides,
  };
}

export interface RecordedHooks {
  hooks: AttemptHooks;
  logs: Array<{level: LogLevel; message: string}>;
  progress: Array<{current: number; total: number | null; message: string | null}>;
}

export function recordingHooks(overrides: Partial<AttemptHooks> = {}): RecordedHooks {
  const logs: RecordedHooks['logs'] = [];
  const progress: RecordedHooks['progress'] = [];
  return {
    logs,
    progress,
    hooks: {
      log: (level, message) => logs.push({level, message}),
      progress: (current, total, message) => progress.push({current, total, message}),
      submitChild: () => Promise.reject(new Error('this test submits no child run')),
      awaitChild: () => Promise.reject(new Error('this test awaits no child run')),
      worker: () => {},
      request: () => {},
      durable: () => Promise.reject(new Error('this test records no durable step')),
      ...overrides,
    },
  };
}

/** Polls `condition` until it holds or the deadline passes. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The "ready pid=… tid=…" line a limits.ts task logs first. */
export function readyLine(logs: RecordedHooks['logs']): {pid: number; tid: number | null} | null {
  const line = logs.find((entry) => entry.message.startsWith('ready '));
  const match = line === undefined ? null : /pid=(\d+) tid=(\S+)/.exec(line.message);
  return match === null ? null : {pid: Number(match[1]), tid: match[2] === 'none' ? null : Number(match[2])};
}

export function errorOf(outcome: AttemptOutcome): Extract<AttemptOutcome, {ok: false}>['error'] {
  if (outcome.ok === 'suspended') throw new Error('expected a failed attempt, got a suspended one');
  if (outcome.ok) throw new Error(`expected a failed attempt, got result ${JSON.stringify(outcome.result)}`);
  return outcome.error;
}

export {isAlive};
