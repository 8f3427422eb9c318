import {afterEach, describe, expect, it, vi} from 'vitest';
import {DEFAULT_SANDBOX_POLICY, type SandboxPolicy} from '../../../src/config/sandbox-policy.js';
import type {EgressRequest} from '../../../src/protocol/index.js';
import {MAX_ATTEMPT_REQUESTS} from '../../../src/protocol/runs.js';
import {createHarness, ROOT, spec, stopAllHarnesses, stopHarness} from './runner-harness.js';

afterEach(stopAllHarnesses);

const policy: SandboxPolicy = {...DEFAULT_SANDBOX_POLICY, files: [{path: `${ROOT}/out`, writable: true}], hosts: ['api.example.com']};
const sandboxed = spec('fetch', {isolation: 'sandbox', sandbox: policy, maxRetries: 1});

const request = (n: number, denied = false): EgressRequest => ({method: 'GET', host: denied ? 'evil.example.net' : 'api.example.com', status: denied ? null : 200, bytes: n, durationMs: 3, denied});

describe('Runner: a sandboxed attempt and its HTTP requests', () => {
  it('hands the task spec sandbox policy to the executor', async () => {
    const {runner, executor} = await createHarness({tasks: [sandboxed]});
    await runner.submit({namespace: 'reports', task: 'fetch'}, {});
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    expect(executor.attempts[0]!.request).toMatchObject({isolation: 'sandbox', sandbox: policy});
  });

  it(`lists the first ${MAX_ATTEMPT_REQUESTS} requests of an attempt, counts the rest, and keeps them on disk with the attempt`, async () => {
    const harness = await createHarness({tasks: [sandboxed]});
    const {runner, executor, events} = harness;
    const run = await runner.submit({namespace: 'reports', task: 'fetch'}, {});
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    const attempt = executor.attempts[0]!;
    const updates = () => events.filter((event) => event.type === 'run' && event.run.id === run.id).length;
    attempt.hooks.request(request(0, true));
    for (let n = 1; n < MAX_ATTEMPT_REQUESTS; n++) attempt.hooks.request(request(n));
    // Mid-run, the record already holds them.
    expect(runner.get(run.id).attempts[0]!.requests).toHaveLength(MAX_ATTEMPT_REQUESTS);
    const updatesAtCap = updates();
    for (let n = 0; n < 7; n++) attempt.hooks.request(request(MAX_ATTEMPT_REQUESTS + n));
    // The ones past the cap change nothing until the attempt ends: no record written, no event, per request.
    expect(updates()).toBe(updatesAtCap);
    expect(runner.get(run.id).attempts[0]).not.toHaveProperty('requestsDropped');
    attempt.succeed({ok: true});
    await runner.waitFor(run.id);

    await stopHarness(harness);
    const reopened = await createHarness({after: harness, tasks: [sandboxed]});
    const [stored] = reopened.runner.get(run.id).attempts;
    expect(stored!.requests).toHaveLength(MAX_ATTEMPT_REQUESTS);
    expect(stored!.requests![0]).toEqual(request(0, true));
    expect(stored!.requests!.at(-1)).toEqual(request(MAX_ATTEMPT_REQUESTS - 1));
    expect(stored!.requestsDropped).toBe(7);
  });

  it('keeps each attempt its own requests, and drops a request an ended attempt reports late', async () => {
    const {runner, executor, clock} = await createHarness({tasks: [sandboxed]});
    const run = await runner.submit({namespace: 'reports', task: 'fetch'}, {});
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    const first = executor.attempts[0]!;
    first.hooks.request(request(1));
    first.fail('upstream down');
    await vi.waitFor(() => expect(runner.get(run.id).status).toBe('queued'));
    first.hooks.request(request(99));
    clock.advance(1000);
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(2));
    executor.attempts[1]!.hooks.request(request(2));
    executor.attempts[1]!.succeed(null);
    const done = await runner.waitFor(run.id);
    expect(done.attempts.map((attempt) => attempt.requests)).toEqual([[request(1)], [request(2)]]);
    expect(done.attempts.map((attempt) => attempt.requestsDropped)).toEqual([undefined, undefined]);
  });

  it('counts the dropped requests of each attempt apart, even one that failed', async () => {
    const {runner, executor, clock} = await createHarness({tasks: [sandboxed]});
    const run = await runner.submit({namespace: 'reports', task: 'fetch'}, {});
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    for (let n = 0; n < MAX_ATTEMPT_REQUESTS + 2; n++) executor.attempts[0]!.hooks.request(request(n));
    executor.attempts[0]!.fail('upstream down');
    await vi.waitFor(() => expect(runner.get(run.id).status).toBe('queued'));
    expect(runner.get(run.id).attempts[0]!.requestsDropped).toBe(2);
    clock.advance(1000);
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(2));
    executor.attempts[1]!.hooks.request(request(1));
    executor.attempts[1]!.succeed(null);
    const done = await runner.waitFor(run.id);
    expect(done.attempts.map((attempt) => [attempt.requests?.length, attempt.requestsDropped])).toEqual([
      [MAX_ATTEMPT_REQUESTS, 2],
      [1, undefined],
    ]);
  });

  it('records no request field for an attempt that made none', async () => {
    const {runner, executor} = await createHarness();
    const run = await runner.submit({namespace: 'reports', task: 'build'}, {});
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    executor.attempts[0]!.succeed(null);
    expect((await runner.waitFor(run.id)).attempts[0]).not.toHaveProperty('requests');
  });
});
