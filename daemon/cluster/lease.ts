import type {Redis} from 'ioredis';
import {Script} from './backend.js';

/**
 * A fenced lease on the backend: one owner at a time holds a name until it releases it or stops
 * renewing it past its time. Each grant comes with a token from a counter that only grows, so
 * work done under a lease that has since passed to another owner can be told apart (and
 * refused) by its older token: a paused process that wakes up after its lease moved on cannot
 * pass for the new holder. Redis runs each script below whole, so a check and its change are one
 * step.
 */
export interface Lease {
  name: string;
  owner: string;
  token: number;
}

/** How often a holder renews a lease of `leaseMs`: three times within it, so one late or lost renewal does not lose it. */
export function renewEveryMs(leaseMs: number): number {
  return Math.max(100, Math.floor(leaseMs / 3));
}

export type LeaseGrant = {lease: Lease} | {heldBy: string; expiresInMs: number};

// KEYS[1] the lease (a hash: owner, token), KEYS[2] its fence counter; ARGV owner, ttl ms, an owner it may be taken from.
// Returns {token} when granted (or already held by the same owner), else {0, holder, ms left}.
const ACQUIRE = new Script(`
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] and owner ~= ARGV[3] then return {0, owner, redis.call('PTTL', KEYS[1])} end
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {tonumber(redis.call('HGET', KEYS[1], 'token'))}
end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {token}
`, 2);

// As ACQUIRE, in turn: KEYS[3] the line of owners waiting (a sorted set by the server's time of
// their first ask), KEYS[4] when each last asked; ARGV owner, ttl ms, how long an owner that stopped
// asking keeps its place. The lease goes to the first in line, and only once it is free.
const ACQUIRE_IN_TURN = new Script(
  `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for _, waiting in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  local seen = tonumber(redis.call('HGET', KEYS[4], waiting) or '0')
  if waiting ~= ARGV[1] and now - seen > tonumber(ARGV[3]) then
    redis.call('ZREM', KEYS[3], waiting)
    redis.call('HDEL', KEYS[4], waiting)
  end
end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {tonumber(redis.call('HGET', KEYS[1], 'token'))}
end
redis.call('ZADD', KEYS[3], 'NX', now, ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], now)
if owner then return {0, owner, redis.call('PTTL', KEYS[1])} end
local first = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
if first ~= ARGV[1] then return {0, first, 0} end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {token}
`,
  4,
);

// KEYS[1] the lease; ARGV owner, token, then ttl ms (renew) or nothing (release). 1: done, 0: not this lease's holder.
const RENEW = new Script(`
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`, 1);
const RELEASE = new Script(`
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`, 1);

export class Leases {
  readonly #redis: Redis;
  readonly #prefix: string;

  /** `prefix`: the backend's key prefix, such as "capsule:". */
  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /**
   * The lease on `name` for `ttlMs`, or who holds it and for how much longer. The same owner
   * asking again keeps its token and extends it. `from`: an owner known to be gone (a process
   * that died without releasing it), whose lease is taken at once rather than waited out.
   */
  async acquire(name: string, owner: string, ttlMs: number, {from = ''}: {from?: string} = {}): Promise<LeaseGrant> {
    const reply = (await ACQUIRE.run(this.#redis, this.#key(name), `${this.#key(name)}:fence`, owner, ttlMs, from)) as [number, string?, number?];
    if (reply[0] > 0) return {lease: {name, owner, token: reply[0]}};
    return {heldBy: reply[1]!, expiresInMs: Math.max(0, reply[2]!)};
  }

  /**
   * As `acquire`, but in turn: the owners asking for a held lease line up, by when they first
   * asked, and it goes to the first of them once free. An owner keeps its place while it asks
   * again within `patienceMs`; one that stopped (its process died) loses it.
   */
  async acquireInTurn(name: string, owner: string, ttlMs: number, patienceMs: number): Promise<LeaseGrant> {
    const key = this.#key(name);
    const reply = (await ACQUIRE_IN_TURN.run(this.#redis, key, `${key}:fence`, `${key}:line`, `${key}:asked`, owner, ttlMs, patienceMs)) as [number, string?, number?];
    if (reply[0] > 0) return {lease: {name, owner, token: reply[0]}};
    return {heldBy: reply[1]!, expiresInMs: Math.max(0, reply[2]!)};
  }

  /** Leaves the line for `name` (an owner that no longer waits for it). */
  async leaveLine(name: string, owner: string): Promise<void> {
    const key = this.#key(name);
    await this.#redis.multi().zrem(`${key}:line`, owner).hdel(`${key}:asked`, owner).exec();
  }

  /** Extends the lease by `ttlMs` from now; false if it has passed (expired, or granted to another since). */
  async renew(lease: Lease, ttlMs: number): Promise<boolean> {
    return (await RENEW.run(this.#redis, this.#key(lease.name), lease.owner, lease.token, ttlMs)) === 1;
  }

  /** Who holds `name` now, or null. */
  async holder(name: string): Promise<string | null> {
    return this.#redis.hget(this.#key(name), 'owner');
  }

  /** Gives the lease up at once; false if it was not held any more. */
  async release(lease: Lease): Promise<boolean> {
    return (await RELEASE.run(this.#redis, this.#key(lease.name), lease.owner, lease.token)) === 1;
  }

  #key(name: string): string {
    return `${this.#prefix}lease:${name}`;
  }
}
