// Shared by the cluster end-to-end tests: daemons in their own CAPSULE_HOMEs, each a node of one
// Redis backend (a redis-server the test file starts on a free port).
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {Redis} from 'ioredis';
import {afterAll, afterEach, beforeAll, expect} from 'vitest';
import type {NodeInfo} from '../../src/protocol/index.js';
import {ROOT, TestHome} from '../helpers/cli.js';
import {startRedis, type RedisServer} from '../helpers/redis.js';

export const CLUSTER_PROJECT = join(ROOT, 'test', 'fixtures', 'projects', 'cluster');

export interface NodesResult {
  backend: string;
  nodes: NodeInfo[];
}

/**
 * For a describe body: a redis-server of the file's own, started before its tests and stopped
 * after them, and the nodes each test makes on it, stopped after each test.
 */
export function useCluster(): ClusterNodes {
  const cluster = new ClusterNodes();
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    cluster.url = redis.url;
  });
  afterEach(() => cluster.cleanup());
  afterAll(async () => {
    await redis?.stop();
  });
  return cluster;
}

/** The nodes a test made; `cleanup` stops them all and empties the backend for the next test. */
export class ClusterNodes {
  readonly #homes: TestHome[] = [];
  /** The backend's URL, once its redis-server is up (useCluster's beforeAll). */
  url = '';

  /** A home whose daemon.toml names this backend and `name` (a short lease, so a killed node is lost soon); nothing started yet. */
  async home(name: string, extra = ''): Promise<TestHome> {
    const home = await TestHome.create();
    this.#homes.push(home);
    await writeFile(join(home.home, 'daemon.toml'), `backend = "${this.url}"\nnode = "${name}"\nnode_lease = "1s"\n${extra}`);
    return home;
  }

  /** A home like `home`, its daemon started, with the cluster fixture project registered. */
  async node(name: string, env: NodeJS.ProcessEnv = {}): Promise<TestHome> {
    const home = await this.home(name);
    const start = await home.run(['daemon', 'start'], {env});
    expect(start.code, start.stderr).toBe(0);
    const added = await home.run(['project', 'add', CLUSTER_PROJECT]);
    expect(added.code, added.stderr).toBe(0);
    return home;
  }

  async cleanup(): Promise<void> {
    for (const home of this.#homes.splice(0)) await home.cleanup();
    // A node killed in one test stays listed as lost: the next starts from an empty backend.
    const client = new Redis(this.url);
    try {
      await client.flushdb();
    } finally {
      await client.quit();
    }
  }
}
