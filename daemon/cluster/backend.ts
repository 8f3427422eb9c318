import {createHash} from 'node:crypto';
import {Redis} from 'ioredis';
import type {BackendSettings} from '../../src/config/backend.js';
import {CapsuleError} from '../../src/lib/errors.js';
import type {Logger} from '../core/logger.js';

/** Every key Capsule writes starts with it, so a database shared with other programs stays readable. */
export const KEY_PREFIX = 'capsule:';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The daemon's connection to its Redis backend. A start that cannot reach it fails, saying where
 * it tried; once up, a lost connection is retried for as long as the daemon runs (each change of
 * state logged once, not each try), and commands meanwhile fail at once rather than queue.
 */
export async function connectBackend(settings: BackendSettings, logger: Logger): Promise<Redis> {
  const redis = new Redis(settings.url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let reported: string | null = null;
  redis.on('error', (error: Error) => {
    if (error.message === reported) return;
    reported = error.message;
    logger.warn(`backend ${settings.display}: ${error.message}`);
  });
  redis.on('ready', () => {
    if (reported !== null) logger.info(`backend ${settings.display}: connected again`);
    reported = null;
  });
  try {
    await redis.connect();
    // The client selects the URL's database as it connects, but goes on on database 0 when the server has no such one.
    await redis.select(databaseOf(settings.url));
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    // The client's own error says more than the "Connection is closed" its connect rejects with after it.
    const reason = reported ?? (error instanceof Error ? error.message : String(error));
    const refused = /WRONGPASS|NOAUTH|NOPERM/.test(reason);
    throw new CapsuleError('failed', `could not use the backend ${settings.display}: ${reason}`, {
      hint: refused
        ? 'check the user and password in the backend URL (redis://USER:PASSWORD@host:6379/0)'
        : /DB index/.test(reason)
          ? 'name a database the server has (redis-server has 16 by default: /0 to /15)'
          : 'start redis-server there, or fix `backend` in daemon.toml (or --backend); without a backend the daemon keeps its runs in its own files',
    });
  }
  return redis;
}

function databaseOf(url: string): number {
  const path = new URL(url).pathname.slice(1);
  return path === '' ? 0 : Number(path);
}

/** What went wrong with a command, in words for an operator: the client's own says "Stream isn't writeable" when it is not connected. */
export function backendFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.includes("Stream isn't writeable") ? 'not connected (reconnecting)' : message;
}

/** A Lua script run by its hash, sent whole only when the server does not have it yet (after a restart or a SCRIPT FLUSH). */
export class Script {
  readonly #lua: string;
  readonly #keys: number;
  readonly #sha: string;

  constructor(lua: string, keys: number) {
    this.#lua = lua;
    this.#keys = keys;
    this.#sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, this.#keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.#lua, this.#keys, ...args);
    }
  }
}
