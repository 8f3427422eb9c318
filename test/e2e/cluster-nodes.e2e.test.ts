// Daemons sharing one Redis (each in its own CAPSULE_HOME, on a redis-server this file starts on
// a free port) see each other as nodes: up while they renew their lease, lost once killed, gone
// once stopped; a name is one daemon's at a time; a backend out of reach stops a start, saying where.
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, expect, it} from 'vitest';
import {freePort} from '../bench/redis-server.js';
import {isAlive, TestHome, waitFor} from '../helpers/cli.js';
import {describeWithRedis} from '../helpers/redis.js';
import {useCluster, type NodesResult} from './cluster.helpers.js';

describeWithRedis('nodes on a Redis backend', () => {
  const cluster = useCluster();
  // Homes of the tests that set up their own daemon.toml; stopped before the cluster's (hooks run last registered first).
  const homes: TestHome[] = [];
  afterEach(async () => {
    for (const home of homes.splice(0)) await home.cleanup();
  });

  const node = (name: string) => cluster.home(name);

  const started = async (home: TestHome, args: string[] = []) => {
    const result = await home.run(['daemon', 'start', ...args]);
    expect(result.code, result.stderr).toBe(0);
  };
  const nodesOf = async (home: TestHome) => home.json<NodesResult>(['nodes']);
  const stateOf = (result: NodesResult) => Object.fromEntries(result.nodes.map((each) => [each.name, each.state]));

  it('lists every node from each of them, itself marked, with its capacity and heartbeat', async () => {
    const [a, b] = [await node('alpha'), await node('beta')];
    await started(a);
    await started(b);
    const fromA = await nodesOf(a);
    expect(fromA.backend).toBe(cluster.url);
    expect(fromA.nodes.map((each) => [each.name, each.self, each.state])).toEqual([
      ['alpha', true, 'up'],
      ['beta', false, 'up'],
    ]);
    const beta = fromA.nodes[1]!;
    expect(beta).toMatchObject({pid: await b.daemonPid(), leaseMs: 1_000, running: 0, capacity: expect.any(Number)});
    expect(Date.now() - Date.parse(beta.heartbeatAt)).toBeLessThan(5_000);
    expect((await nodesOf(b)).nodes.map((each) => [each.name, each.self])).toEqual([
      ['alpha', false],
      ['beta', true],
    ]);
    const table = await a.run(['nodes']);
    expect(table.stdout).toMatch(/^alpha \*\s+up\s+0\.1\.0\s+0\/\d+/m);
    expect(table.stdout).toMatch(/^beta\s+up/m);
    expect(table.stdout).toContain(`backend: ${cluster.url}`);
    const status = await a.run(['daemon', 'status']);
    expect(status.stdout).toMatch(/node\s+alpha on redis:\/\/127\.0\.0\.1:\d+\/0, 2 nodes up/);
  });

  it('shows a node killed with -9 as lost once its lease is out; started again, it is up at once; stopped, it leaves the list', async () => {
    const [a, b] = [await node('alpha'), await node('beta')];
    await started(a);
    await started(b);
    const pid = (await b.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), {what: 'the killed daemon to be gone'});
    await waitFor(async () => stateOf(await nodesOf(a)).beta === 'lost', {timeoutMs: 10_000, what: 'beta to be lost'});
    expect((await a.run(['daemon', 'status'])).stdout).toContain('1 node up, 1 lost');
    // Its name's lease has not run out the next time (a lost node stays listed for a day), but its holder is dead on this machine: taken at once.
    await started(b);
    expect(stateOf(await nodesOf(a))).toEqual({alpha: 'up', beta: 'up'});
    expect((await b.run(['daemon', 'stop'])).code).toBe(0);
    expect(stateOf(await nodesOf(a))).toEqual({alpha: 'up'});
  });

  it('refuses a second daemon under a name another holds, saying whose it is and how to fix it', async () => {
    const [a, twin] = [await node('alpha'), await node('alpha')];
    await started(a);
    const refused = await twin.run(['daemon', 'start']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`node "alpha" is already up on this backend (pid ${await a.daemonPid()}`);
    expect(refused.stderr).toContain('give each daemon its own name');
    expect(await twin.daemonPid()).toBe(null);
    expect((await nodesOf(a)).nodes.map((each) => each.pid)).toEqual([await a.daemonPid()]);
  });

  it('takes the backend from --backend for one start, and refuses a flag that is not a Redis URL, naming it', async () => {
    const home = await TestHome.create();
    homes.push(home);
    await writeFile(join(home.home, 'daemon.toml'), 'node = "gamma"\n');
    const bad = await home.run(['daemon', 'start', '--backend', 'http://127.0.0.1:6379']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--backend: expected redis:// or rediss://, not http://');
    await started(home, ['--backend', cluster.url]);
    expect(await nodesOf(home)).toMatchObject({backend: cluster.url, nodes: [{name: 'gamma', self: true, state: 'up'}]});
    // Not in its arguments, which `ps` shows every user: a URL may hold a password.
    const pid = (await home.daemonPid())!;
    expect(await readFile(`/proc/${pid}/cmdline`, 'utf8')).not.toContain('redis://');
  });

  it('refuses a database the server does not have, rather than use database 0', async () => {
    const home = await TestHome.create();
    homes.push(home);
    const url = cluster.url.replace(/\/0$/, '/99');
    await writeFile(join(home.home, 'daemon.toml'), `backend = "${url}"\nnode = "epsilon"\n`);
    const refused = await home.run(['daemon', 'start']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`could not use the backend ${url}: ERR DB index is out of range`);
    expect(refused.stderr).toContain('name a database the server has');
    expect(await home.daemonPid()).toBe(null);
  });

  it('does not start against a backend nobody answers on, and says where it tried', async () => {
    const port = await freePort();
    const home = await TestHome.create();
    homes.push(home);
    await writeFile(join(home.home, 'daemon.toml'), `backend = "redis://:s3cret@127.0.0.1:${port}/0"\n`);
    const refused = await home.run(['daemon', 'start']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`could not use the backend redis://:***@127.0.0.1:${port}/0`);
    expect(refused.stderr).not.toContain('s3cret');
    expect(await home.daemonPid()).toBe(null);
  });

  it('refuses a daemon.toml backend that is not a Redis URL at its line, and starts nothing', async () => {
    const home = await TestHome.create();
    homes.push(home);
    await writeFile(join(home.home, 'daemon.toml'), `node = "delta"\nbackend = "redis://127.0.0.1:6379/jobs"\n`);
    const refused = await home.run(['daemon', 'start']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('daemon.toml:2:1 backend');
    expect(refused.stderr).toContain('the path is the database number');
  });
});

it('lists the daemon alone on the file store when it has no backend', async () => {
  const home = await TestHome.create();
  try {
    const result = await home.json<NodesResult>(['nodes']);
    expect(result.backend).toBe('file');
    expect(result.nodes).toMatchObject([{self: true, state: 'up', pid: await home.daemonPid()}]);
    expect((await home.run(['nodes'])).stdout).toContain('backend: file (this daemon alone');
  } finally {
    await home.cleanup();
  }
});
