// tasks-isolation.e2e.test.ts again, on the Redis backend: every daemon it starts a node on a redis-server of its own.
import {onRedisBackend} from '../helpers/redis.js';

await onRedisBackend('tasks-isolation on Redis', () => import('./tasks-isolation.e2e.test.js'));
