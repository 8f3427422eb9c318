import {Redis} from 'ioredis';
import {afterAll, beforeAll, beforeEach, expect, it} from 'vitest';
import {Leases, type Lease} from '../../../daemon/cluster/lease.js';
import {describeWithRedis, startRedis, type RedisServer} from '../../helpers/redis.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('fenced leases on Redis', () => {
  let server: RedisServer;
  let redis: Redis;
  let leases: Leases;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    leases = new Leases(redis, 'test:');
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });
  beforeEach(() => redis.flushdb());

  const granted = async (name: string, owner: string, ttlMs: number, options?: {from?: string}): Promise<Lease> => {
    const grant = await leases.acquire(name, owner, ttlMs, options);
    if (!('lease' in grant)) throw new Error(`expected ${owner} to get ${name}, but ${grant.heldBy} holds it`);
    return grant.lease;
  };

  it('grants a name to one owner, tells another who holds it and for how long, and extends it for the same owner', async () => {
    const first = await granted('node:a', 'alice', 10_000);
    expect(first.token).toBe(1);
    const refused = await leases.acquire('node:a', 'bob', 10_000);
    expect(refused).toEqual({heldBy: 'alice', expiresInMs: expect.any(Number)});
    expect((refused as {expiresInMs: number}).expiresInMs).toBeGreaterThan(9_000);
    expect(await granted('node:a', 'alice', 10_000)).toEqual(first);
    expect(await granted('node:b', 'bob', 10_000)).toMatchObject({token: 1});
  });

  it('passes to the next owner once it expires, with a larger token; the old holder can neither renew nor release it', async () => {
    const old = await granted('lock:x', 'alice', 150);
    expect(await leases.renew(old, 150)).toBe(true);
    await sleep(250);
    const next = await granted('lock:x', 'bob', 10_000);
    expect(next.token).toBeGreaterThan(old.token);
    expect(await leases.renew(old, 10_000)).toBe(false);
    expect(await leases.release(old)).toBe(false);
    expect(await leases.acquire('lock:x', 'carol', 1_000)).toMatchObject({heldBy: 'bob'});
    expect(await leases.release(next)).toBe(true);
    expect((await granted('lock:x', 'carol', 1_000)).token).toBe(next.token + 1);
  });

  it('is taken at once from an owner named as gone, and only from that one', async () => {
    await granted('node:a', 'host/1/dead', 60_000);
    expect(await leases.acquire('node:a', 'host/2/new', 60_000, {from: 'host/9/other'})).toMatchObject({heldBy: 'host/1/dead'});
    expect(await granted('node:a', 'host/2/new', 60_000, {from: 'host/1/dead'})).toMatchObject({owner: 'host/2/new', token: 2});
  });

  it('in turn: gives a held lease, once free, to the first owner that asked for it, not to whoever asks next', async () => {
    const held = await granted('lock:k', 'alice', 10_000);
    expect(await leases.acquireInTurn('lock:k', 'bob', 10_000, 5_000)).toMatchObject({heldBy: 'alice'});
    expect(await leases.acquireInTurn('lock:k', 'carol', 10_000, 5_000)).toMatchObject({heldBy: 'alice'});
    expect(await leases.release(held)).toBe(true);
    // Free, but bob asked first.
    expect(await leases.acquireInTurn('lock:k', 'carol', 10_000, 5_000)).toEqual({heldBy: 'bob', expiresInMs: 0});
    const bob = await leases.acquireInTurn('lock:k', 'bob', 10_000, 5_000);
    expect(bob).toMatchObject({lease: {owner: 'bob'}});
    await leases.release((bob as {lease: Lease}).lease);
    expect(await leases.acquireInTurn('lock:k', 'carol', 10_000, 5_000)).toMatchObject({lease: {owner: 'carol'}});
  });

  it('in turn: an owner that stopped asking loses its place, and one that leaves the line is passed over', async () => {
    const held = await granted('lock:k', 'alice', 10_000);
    await leases.acquireInTurn('lock:k', 'gone', 10_000, 100);
    await leases.acquireInTurn('lock:k', 'left', 10_000, 100);
    await leases.acquireInTurn('lock:k', 'erin', 10_000, 100);
    await leases.leaveLine('lock:k', 'left');
    await leases.release(held);
    await sleep(250);
    // "gone" and "left" asked no more: erin is first.
    expect(await leases.acquireInTurn('lock:k', 'erin', 10_000, 100)).toMatchObject({lease: {owner: 'erin'}});
  });

  it('gives each free name to exactly one of many owners asking at once, round after round', async () => {
    const clients = await Promise.all(Array.from({length: 8}, async () => new Redis(server.url)));
    try {
      for (let round = 0; round < 50; round++) {
        const grants = await Promise.all(clients.map((client, at) => new Leases(client, 'test:').acquire(`race:${round}`, `owner-${at}`, 5_000)));
        const winners = grants.filter((grant) => 'lease' in grant);
        expect(winners).toHaveLength(1);
        const holder = (winners[0] as {lease: Lease}).lease.owner;
        expect(grants.filter((grant) => 'heldBy' in grant).every((grant) => 'heldBy' in grant && grant.heldBy === holder)).toBe(true);
      }
    } finally {
      await Promise.all(clients.map((client) => client.quit()));
    }
  });
});
