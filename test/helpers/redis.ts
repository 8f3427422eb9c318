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
  if (existsSync(REDIS_SERVER)) {
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
