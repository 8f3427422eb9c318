import {existsSync} from 'node:fs';
import {describe, it} from 'vitest';
import {REDIS_SERVER} from '../bench/redis-server.js';

export {startRedis, type RedisServer} from '../bench/redis-server.js';

/**
 * A suite that needs a redis-server (each test file starts its own, see startRedis). Where there
 * is none it is skipped, saying so on stderr; under CI=true, where .ci/run installs it, its
 * absence fails the suite instead.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (hasRedis()) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has a redis-server to run against', () => {
        throw new Error(`no ${REDIS_SERVER}: .ci/run installs it (apt-get install redis-server)`);
      });
    });
    return;
  }
  console.warn(`SKIPPED the Redis suite "${name}": no ${REDIS_SERVER} on this machine (apt-get install redis-server)`);
  describe.skip(name, body);
}

export function hasRedis(): boolean {
  return existsSync(REDIS_SERVER);
}

/**
 * Runs a test file of the file store again on the Redis backend: each TestHome's daemon a node on
 * a redis-server of its own (TestHome.create reads CAPSULE_TEST_BACKEND). Each test file runs in a
 * process of its own, so the variable reaches this file's tests only.
 */
export async function onRedisBackend(name: string, load: () => Promise<unknown>): Promise<void> {
  if (!hasRedis()) {
    describeWithRedis(name, () => {});
    return;
  }
  process.env.CAPSULE_TEST_BACKEND = 'redis';
  await load();
}
