// backend-mode.e2e.test.ts's twin: under onRedisBackend, a test home's daemon is a node on a redis-server of its own.
import {describe, expect, it} from 'vitest';
import {TestHome} from '../helpers/cli.js';
import {onRedisBackend} from '../helpers/redis.js';

await onRedisBackend('test homes on Redis', async () => {
  describe('a test home, on the Redis backend', () => {
    it('is a node on a redis-server of its own, which its cleanup stops', async () => {
      const home = await TestHome.create();
      try {
        expect((await home.run(['daemon', 'status'])).stdout).toMatch(/node\s+test on redis:\/\/127\.0\.0\.1:\d+\/0, 1 node up/);
      } finally {
        await home.cleanup();
      }
    });
  });
});
