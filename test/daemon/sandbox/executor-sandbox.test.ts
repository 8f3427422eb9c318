import {copyFile, mkdtemp, rm, symlink, writeFile} from 'node:fs/promises';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {homedir, tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createExecutor, type TaskExecutor} from '../../../daemon/executor/index.js';
import {probeSandbox} from '../../../daemon/sandbox/availability.js';
import {DEFAULT_SANDBOX_POLICY} from '../../../src/config/sandbox-policy.js';
import type {EgressRequest} from '../../../src/protocol/index.js';
import {attemptRequest, BASE_ENV, errorOf, FIXTURES, isAlive, MB, recordingHooks} from '../executor/helpers.js';

/** An executor with sandboxes for the calling describe block, in a home of its own, closed after it. */
function sandboxedExecutor(): {executor: TaskExecutor; home: string} {
  const made = {} as {executor: TaskExecutor; home: string};
  beforeAll(async () => {
    made.home = await mkdtemp(join(tmpdir(), 'capsule-sandbox-'));
    made.executor = createExecutor({maxParallel: 2, sandbox: {availability: probeSandbox(), socketDir: join(made.home, 'sandbox')}});
  });
  afterAll(async () => {
    await made.executor.close();
    await rm(made.home, {recursive: true, force: true});
  });
  return made;
}

describe('executor with sandbox isolation', () => {
  const made = sandboxedExecutor();

  const sandboxed = (file: string, exportName: string, overrides = {}) => attemptRequest(file, exportName, {isolation: 'sandbox', sandbox: DEFAULT_SANDBOX_POLICY, ...overrides});

  it('runs a task and returns its result', async () => {
    const outcome = await made.executor.execute(sandboxed('basic.ts', 'echo', {input: {id: 7, at: new Date(0)}}), recordingHooks().hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {echo: {id: 7, at: new Date(0)}}});
    expect(outcome.peakMemoryMb).toBeGreaterThan(0);
  });

  it('reports a thrown error with its stack at the line of the TypeScript source', async () => {
    const error = errorOf(await made.executor.execute(sandboxed('basic.ts', 'fails'), recordingHooks().hooks, new AbortController().signal));
    expect(error).toMatchObject({type: 'error', message: 'boom'});
    expect(error.stack).toContain('basic.ts:9:');
  });

  it('shows the task only its declared environment', async () => {
    const request = sandboxed('basic.ts', 'readsEnv', {env: {...BASE_ENV, API_KEY: 'k1'}});
    const outcome = await made.executor.execute(request, recordingHooks().hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {...BASE_ENV, API_KEY: 'k1', CAPSULE_ATTEMPT: `${request.runId}:1`}});
    expect(Object.keys((outcome as {result: object}).result).sort()).toEqual([...Object.keys(BASE_ENV), 'API_KEY', 'CAPSULE_ATTEMPT'].sort());
  });

  it('runs in the project directory', async () => {
    const outcome = await made.executor.execute(sandboxed('basic.ts', 'whereAmI'), recordingHooks().hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {cwd: FIXTURES.replace(/\/$/, ''), pid: 1}});
  });
});

describe('a sandboxed task meets its walls', () => {
  const made = sandboxedExecutor();

  const run = (exportName: string, input: unknown = null) =>
    made.executor.execute(attemptRequest('sandbox.ts', exportName, {isolation: 'sandbox', sandbox: DEFAULT_SANDBOX_POLICY, input}), recordingHooks().hooks, new AbortController().signal);

  it.each([
    ['/etc/shadow', /denied reading \/etc\/shadow/],
    [join(homedir(), '.ssh/id_rsa'), /denied reading .*\.ssh/],
  ])('refuses to read %s', async (path, message) => {
    const outcome = await run('reads', {path});
    expect(outcome).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(message)}});
  });

  it('names a file the private /tmp hides (a CAPSULE_HOME under /tmp) as denied, and a missing one as missing', async () => {
    const secret = join(made.home, 'agent.key');
    await writeFile(secret, 'not for tasks');
    expect(await run('reads', {path: secret})).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/denied reading .*agent\.key: it is outside the sandbox/)}});
    expect(await run('reads', {path: join(made.home, 'nothing-here')})).toMatchObject({ok: false, error: {type: 'error', message: expect.stringMatching(/ENOENT/)}});
  });

  it('refuses to write into the project', async () => {
    const outcome = await run('writes', {path: join(FIXTURES, 'written-by-sandbox')});
    expect(outcome).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/denied writing .*written-by-sandbox/)}});
  });

  it('refuses a child process and a worker thread', async () => {
    expect(await run('spawns')).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/starting a child process/)}});
    expect(await run('startsWorker')).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/starting a worker thread/)}});
  });

  it('refuses a symlink planted in the project that points outside it', async () => {
    const project = await mkdtemp(join(tmpdir(), 'capsule-sandbox-project-'));
    try {
      await copyFile(join(FIXTURES, 'sandbox.ts'), join(project, 'sandbox.ts'));
      await symlink('/etc/passwd', join(project, 'leak'));
      const request = attemptRequest('sandbox.ts', 'reads', {isolation: 'sandbox', sandbox: DEFAULT_SANDBOX_POLICY, modulePath: join(project, 'sandbox.ts'), cwd: project, input: {path: join(project, 'leak')}});
      const outcome = await made.executor.execute(request, recordingHooks().hooks, new AbortController().signal);
      expect(outcome).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/denied reading .*leak: it is a symlink/)}});
    } finally {
      await rm(project, {recursive: true, force: true});
    }
  });

  it.each([
    ['busyLoop', {timeoutMs: 300}, 'timeout'],
    ['heapBomb', {ramBytes: 64 * MB}, 'out_of_memory'],
    ['bufferBomb', {ramBytes: 64 * MB}, 'out_of_memory'],
    ['busyLoop', {computeMs: 300}, 'compute_exhausted'],
  ] as const)('ends %s at its limit (%o) and leaves nothing running', async (exportName, limits, type) => {
    const {hooks} = recordingHooks();
    const request = attemptRequest('limits.ts', exportName, {isolation: 'sandbox', sandbox: DEFAULT_SANDBOX_POLICY, limits: {ramBytes: 256 * MB, timeoutMs: 20_000, computeMs: 20_000, ...limits}});
    let hostPid: number | null = null;
    hooks.worker = (worker) => (hostPid = worker.pid);
    const outcome = await made.executor.execute(request, hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: false, error: {type}});
    expect(hostPid).toBeGreaterThan(1);
    expect(isAlive(hostPid!)).toBe(false);
  });

  it('serves no module its sandbox could not read, even asked on its channel by the task itself', async () => {
    const outcome = await run('forgesModuleRequest', {path: '/etc/passwd'});
    expect(outcome).toMatchObject({ok: true, result: {t: 'reply', ok: false, error: {message: expect.stringMatching(/denied reading \/etc\/passwd/)}}});
    expect(JSON.stringify(outcome)).not.toContain('root:x:0:0');
  });

  it('serves no module through a symlink in the project that leads outside it', async () => {
    const project = await mkdtemp(join(tmpdir(), 'capsule-sandbox-project-'));
    try {
      await copyFile(join(FIXTURES, 'sandbox.ts'), join(project, 'sandbox.ts'));
      await symlink('/etc/passwd', join(project, 'passwd.mjs'));
      const request = attemptRequest('sandbox.ts', 'forgesModuleRequest', {isolation: 'sandbox', sandbox: DEFAULT_SANDBOX_POLICY, modulePath: join(project, 'sandbox.ts'), cwd: project, input: {path: join(project, 'passwd.mjs')}});
      const outcome = await made.executor.execute(request, recordingHooks().hooks, new AbortController().signal);
      expect(outcome).toMatchObject({ok: true, result: {t: 'reply', ok: false, error: {message: expect.stringMatching(/denied reading .*passwd\.mjs/)}}});
      expect(JSON.stringify(outcome)).not.toContain('root:x:0:0');
    } finally {
      await rm(project, {recursive: true, force: true});
    }
  });

  it.each(['process', 'sandbox'] as const)('in %s isolation, keeps its timeout when the task keeps saying it started', async (isolation) => {
    const request = attemptRequest('sandbox.ts', 'keepsStarting', {isolation, sandbox: isolation === 'sandbox' ? DEFAULT_SANDBOX_POLICY : null, limits: {ramBytes: 256 * MB, timeoutMs: 600, computeMs: 20_000}});
    // Re-armed by each one, the timeout would never come: the test's own would.
    expect(await made.executor.execute(request, recordingHooks().hooks, new AbortController().signal)).toMatchObject({ok: false, error: {type: 'timeout'}});
  }, 30_000);

  it("cannot submit a run of another project's task", async () => {
    const {hooks} = recordingHooks({submitChild: () => Promise.resolve('run_child')});
    const outcome = await made.executor.execute(attemptRequest('sandbox.ts', 'submitsElsewhere', {isolation: 'sandbox', sandbox: DEFAULT_SANDBOX_POLICY, input: {task: 'other/deploy'}}), hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/submitting a run of other\/deploy/)}});
    const own = await made.executor.execute(attemptRequest('sandbox.ts', 'submitsElsewhere', {isolation: 'sandbox', sandbox: DEFAULT_SANDBOX_POLICY, input: {task: 'deploy'}}), hooks, new AbortController().signal);
    expect(own).toMatchObject({ok: true, result: 'run_child'});
  });

  it('refuses module hooks of the task’s own (they would run on a thread the shims are not on)', async () => {
    expect(await run('registersHooks')).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/cannot register module hooks/)}});
  });

  it('names its open-files cap when the task reaches it', async () => {
    expect(await run('opensFiles')).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/more files than its cap/)}});
  });

  it('is stopped, without the daemon taking it in, when it sends a message past the cap', async () => {
    const before = process.memoryUsage.rss();
    const outcome = await run('floodsChannel', {megabytes: 30});
    expect(outcome).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/denied a message of 30(\.\d)?MB to the daemon, over the 24MB/)}});
    expect(process.memoryUsage.rss() - before).toBeLessThan(64 * MB);
  });

  it('gives the attempt a scratch directory of its own', async () => {
    expect(await run('scratch')).toMatchObject({ok: true, result: {dir: '/scratch', note: 'kept for the attempt'}});
  });

  it('stops a write past the scratch cap', async () => {
    const outcome = await run('fillsScratch', {megabytes: 1024});
    expect(outcome).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/past the 64 MB cap of ctx.scratchDir or \/tmp/)}});
  });
});

describe('a machine without bubblewrap', () => {
  it('is found at the probe, and a sandboxed attempt fails at once saying how to fix it, never unsandboxed', async () => {
    const availability = probeSandbox('/nonexistent-bin');
    expect(await availability).toMatchObject({available: false, reason: expect.stringMatching(/bubblewrap \(bwrap\) is not installed/), hint: expect.stringMatching(/apt-get install bubblewrap/)});
    const home = await mkdtemp(join(tmpdir(), 'capsule-sandbox-'));
    const executor = createExecutor({maxParallel: 1, sandbox: {availability, socketDir: join(home, 'sandbox')}});
    try {
      const {hooks, logs} = recordingHooks();
      const outcome = await executor.execute(attemptRequest('basic.ts', 'chatty', {isolation: 'sandbox', sandbox: DEFAULT_SANDBOX_POLICY}), hooks, new AbortController().signal);
      expect(outcome).toMatchObject({ok: false, error: {type: 'sandbox_unavailable', message: expect.stringMatching(/cannot run on this machine: bubblewrap.*apt-get install bubblewrap/)}});
      expect(logs).toEqual([]);
    } finally {
      await executor.close();
      await rm(home, {recursive: true, force: true});
    }
  });
});

describe('a sandboxed task on the network', () => {
  const made = sandboxedExecutor();
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((request, response) => response.end(`served ${request.method} ${request.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const run = (exportName: string, input: unknown, hosts: string[] = []) => {
    const requests: EgressRequest[] = [];
    const {hooks} = recordingHooks({request: (entry) => requests.push(entry)});
    const request = attemptRequest('sandbox.ts', exportName, {isolation: 'sandbox', sandbox: {...DEFAULT_SANDBOX_POLICY, hosts}, input});
    return made.executor.execute(request, hooks, new AbortController().signal).then((outcome) => ({outcome, requests}));
  };

  it('fetches from an allowed host through the proxy, and the request is reported', async () => {
    const {outcome, requests} = await run('fetches', {url: `http://127.0.0.1:${port}/hello`}, [`127.0.0.1:${port}`]);
    expect(outcome).toMatchObject({ok: true, result: {status: 200, body: 'served GET /hello'}});
    expect(requests).toEqual([{method: 'GET', host: `127.0.0.1:${port}`, status: 200, bytes: 17, durationMs: expect.any(Number), denied: false}]);
  });

  it('is denied a host not on its list, and the denial is reported', async () => {
    const {outcome, requests} = await run('fetches', {url: `http://127.0.0.1:${port}/hello`}, ['api.example.com']);
    expect(outcome).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(new RegExp(`denied a request to 127\\.0\\.0\\.1:${port}`))}});
    expect(requests).toMatchObject([{method: 'GET', host: `127.0.0.1:${port}`, status: 403, denied: true}]);
  });

  it('cannot open a TCP socket, even to an allowed host, nor a unix socket such as the daemon’s', async () => {
    const tcp = await run('connects', {port}, [`127.0.0.1:${port}`]);
    expect(tcp.outcome).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(new RegExp(`denied a connection to 127\\.0\\.0\\.1:${port}`))}});
    const unix = await run('connects', {path: join(made.home, 'daemon.sock')});
    expect(unix.outcome).toMatchObject({ok: false, error: {type: 'sandbox_denied', message: expect.stringMatching(/denied a connection to .*daemon\.sock/)}});
  });
});
