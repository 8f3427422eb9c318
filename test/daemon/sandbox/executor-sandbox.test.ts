import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createExecutor, type TaskExecutor} from '../../../daemon/executor/index.js';
import {probeSandbox} from '../../../daemon/sandbox/availability.js';
import {DEFAULT_SANDBOX_POLICY} from '../../../src/config/sandbox-policy.js';
import {attemptRequest, BASE_ENV, errorOf, FIXTURES, recordingHooks} from '../executor/helpers.js';

describe('executor with sandbox isolation', () => {
  let executor: TaskExecutor;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'capsule-sandbox-'));
    executor = createExecutor({maxParallel: 2, sandbox: {availability: probeSandbox(), socketDir: join(home, 'sandbox')}});
  });

  afterAll(async () => {
    await executor.close();
    await rm(home, {recursive: true, force: true});
  });

  const sandboxed = (file: string, exportName: string, overrides = {}) => attemptRequest(file, exportName, {isolation: 'sandbox', sandbox: DEFAULT_SANDBOX_POLICY, ...overrides});

  it('runs a task and returns its result', async () => {
    const outcome = await executor.execute(sandboxed('basic.ts', 'echo', {input: {id: 7, at: new Date(0)}}), recordingHooks().hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {echo: {id: 7, at: new Date(0)}}});
    expect(outcome.peakMemoryMb).toBeGreaterThan(0);
  });

  it('reports a thrown error with its stack at the line of the TypeScript source', async () => {
    const error = errorOf(await executor.execute(sandboxed('basic.ts', 'fails'), recordingHooks().hooks, new AbortController().signal));
    expect(error).toMatchObject({type: 'error', message: 'boom'});
    expect(error.stack).toContain('basic.ts:9:');
  });

  it('shows the task only its declared environment', async () => {
    const request = sandboxed('basic.ts', 'readsEnv', {env: {...BASE_ENV, API_KEY: 'k1'}});
    const outcome = await executor.execute(request, recordingHooks().hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {...BASE_ENV, API_KEY: 'k1', CAPSULE_ATTEMPT: `${request.runId}:1`}});
    expect(Object.keys((outcome as {result: object}).result).sort()).toEqual([...Object.keys(BASE_ENV), 'API_KEY', 'CAPSULE_ATTEMPT'].sort());
  });

  it('runs in the project directory', async () => {
    const outcome = await executor.execute(sandboxed('basic.ts', 'whereAmI'), recordingHooks().hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {cwd: FIXTURES.replace(/\/$/, ''), pid: 1}});
  });
});
