import type {Redis} from 'ioredis';
import type {Logger} from '../core/logger.js';
import type {SharedLocks} from '../runner/runner-types.js';
import {backendFailure, KEY_PREFIX} from './backend.js';
import {Leases, renewEveryMs, type Lease} from './lease.js';

/** How often a run waiting for a key another node holds asks again. */
const POLL_MS = 200;

function leaseName(key: string): string {
  return `lock:${key}`;
}

interface Waiting {
  runId: string;
  granted: () => void;
  /** An ask of it is on its way: the poll sends no second one (two granted asks would see one of them as stale, and give the key back). */
  asking: boolean;
}

/**
 * Lock keys across nodes, each a fenced lease named for the key and owned by `node/run`: held
 * while the run is not final (its retries, sleeps and waits included), renewed with the node's
 * heartbeat rhythm (three times a lease), given back when the run ends. A node that dies lets its
 * keys go once their lease runs out. Each node's own lines keep their order (runner/locks.ts),
 * so at most one run per key per node asks here, and the nodes' asks line up on Redis by when
 * they first asked: a node with many runs of a key takes turns with the others, it does not
 * keep the key for all of its own.
 */
export class RedisSharedLocks implements SharedLocks {
  readonly #leases: Leases;
  readonly #node: string;
  readonly #leaseMs: number;
  readonly #logger: Logger;
  readonly #waiting = new Map<string, Waiting>();
  readonly #held = new Map<string, Lease>();
  readonly #poll: NodeJS.Timeout;
  readonly #renew: NodeJS.Timeout;
  #polling = false;
  #closed = false;

  constructor(redis: Redis, {node, leaseMs, logger}: {node: string; leaseMs: number; logger: Logger}) {
    this.#leases = new Leases(redis, KEY_PREFIX);
    this.#node = node;
    this.#leaseMs = leaseMs;
    this.#logger = logger;
    this.#poll = setInterval(() => void this.#askAll(), POLL_MS);
    this.#renew = setInterval(() => void this.#renewAll(), renewEveryMs(leaseMs));
  }

  take(key: string, runId: string, granted: () => void): () => void {
    const waiting = {runId, granted, asking: false};
    this.#waiting.set(key, waiting);
    void this.#ask(key, waiting);
    return () => {
      if (this.#waiting.get(key) !== waiting) return;
      this.#waiting.delete(key);
      this.#leases.leaveLine(leaseName(key), this.#owner(runId)).catch(() => {});
    };
  }

  release(key: string, runId: string): void {
    const lease = this.#held.get(key);
    if (lease?.owner !== this.#owner(runId)) return;
    this.#held.delete(key);
    this.#leases.release(lease).catch((error: unknown) => this.#logger.warn(`lock ${key}: could not give it back (${backendFailure(error)}); it frees itself within ${this.#leaseMs} ms`));
  }

  async heldElsewhere(key: string): Promise<string | undefined> {
    const grant = await this.#leases.holder(leaseName(key));
    if (grant === null || grant.startsWith(`${this.#node}/`)) return undefined;
    const at = grant.lastIndexOf('/');
    return `${grant.slice(at + 1)} on node ${grant.slice(0, at)}`;
  }

  /** Gives back every key held: this node's runs that did not end wait for it again at its next start. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    clearInterval(this.#renew);
    this.#waiting.clear();
    const held = [...this.#held.values()];
    this.#held.clear();
    await Promise.allSettled(held.map((lease) => this.#leases.release(lease)));
  }

  #owner(runId: string): string {
    return `${this.#node}/${runId}`;
  }

  async #ask(key: string, waiting: Waiting): Promise<void> {
    if (waiting.asking) return;
    waiting.asking = true;
    let grant;
    try {
      grant = await this.#leases.acquireInTurn(leaseName(key), this.#owner(waiting.runId), this.#leaseMs, this.#leaseMs);
    } catch {
      return; // The backend out of reach: asked again with the next poll.
    } finally {
      waiting.asking = false;
    }
    if (!('lease' in grant)) return;
    if (this.#closed || this.#waiting.get(key) !== waiting) {
      // Stopped waiting meanwhile (cancelled): not ours to keep.
      await this.#leases.release(grant.lease).catch(() => {});
      return;
    }
    this.#waiting.delete(key);
    this.#held.set(key, grant.lease);
    waiting.granted();
  }

  async #askAll(): Promise<void> {
    if (this.#polling || this.#waiting.size === 0) return;
    this.#polling = true;
    try {
      await Promise.all([...this.#waiting].map(([key, waiting]) => this.#ask(key, waiting)));
    } finally {
      this.#polling = false;
    }
  }

  async #renewAll(): Promise<void> {
    await Promise.all([...this.#held].map(([key, lease]) => this.#renewOne(key, lease)));
  }

  async #renewOne(key: string, lease: Lease): Promise<void> {
    try {
      if ((await this.#leases.renew(lease, this.#leaseMs)) || this.#held.get(key) !== lease) return;
      // Out of touch past the lease: another node may have taken the key since, with a higher token.
      const again = await this.#leases.acquire(lease.name, lease.owner, this.#leaseMs);
      if ('lease' in again) {
        if (this.#held.get(key) === lease) this.#held.set(key, again.lease);
        return;
      }
      this.#logger.error(`lock ${key}: run ${lease.owner.slice(this.#node.length + 1)} held it past its lease (this node was out of touch with the backend), and ${again.heldBy} has it now`);
    } catch {
      // Out of reach: renewed with the next tick, or found lost then.
    }
  }
}
