import type {Redis} from 'ioredis';
import type {Logger} from '../core/logger.js';
import {backendFailure, KEY_PREFIX} from './backend.js';
import {Leases, renewEveryMs, type Lease} from './lease.js';

/**
 * Which node fires each schedule: the first whose fire finds it free takes it as a lease (owned by
 * the node's name, so a restart keeps it), renews it three times a lease, and fires it from then
 * on; the others let its fires pass. One node per schedule, never two, and the same one fire after
 * fire, so the overlap, queue and catch-up policies see every run they judge: its own. A node
 * that dies lets its schedules go once its lease is out, to the next node whose fire asks.
 */
export class ScheduleOwners {
  readonly #leases: Leases;
  readonly #node: string;
  readonly #leaseMs: number;
  readonly #logger: Logger;
  readonly #owned = new Map<string, Lease>();
  readonly #renew: NodeJS.Timeout;
  /** Whether this node still fires a schedule (it is defined, enabled, not paused): one it does not is given back. */
  #keep: (key: string) => boolean = () => true;
  #closed = false;

  constructor(redis: Redis, {node, leaseMs, logger}: {node: string; leaseMs: number; logger: Logger}) {
    this.#leases = new Leases(redis, KEY_PREFIX);
    this.#node = node;
    this.#leaseMs = leaseMs;
    this.#logger = logger;
    this.#renew = setInterval(() => void this.#renewAll(), renewEveryMs(leaseMs));
  }

  /** Whether this node fires the schedule `key` ("namespace/name"); false too when the backend does not answer, for a fire here might be a second one. */
  async firesHere(key: string): Promise<boolean> {
    if (this.#closed) return false;
    try {
      const grant = await this.#leases.acquire(`schedule:${key}`, this.#node, this.#leaseMs);
      if ('heldBy' in grant) {
        this.#owned.delete(key);
        return false;
      }
      this.#owned.set(key, grant.lease);
      return true;
    } catch (error) {
      this.#logger.warn(`schedule ${key}: not fired, the backend did not answer (${backendFailure(error)})`);
      return false;
    }
  }

  /** From now on, a schedule `keep` says this node no longer fires (removed, disabled, paused here) is given back at the next renewal. */
  keepOnly(keep: (key: string) => boolean): void {
    this.#keep = keep;
  }

  /** Gives every schedule back, for the nodes still up to take at their next fire. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#renew);
    const owned = [...this.#owned.values()];
    this.#owned.clear();
    await Promise.allSettled(owned.map((lease) => this.#leases.release(lease)));
  }

  async #renewAll(): Promise<void> {
    await Promise.all(
      [...this.#owned].map(async ([key, lease]) => {
        try {
          if (!this.#keep(key)) {
            this.#owned.delete(key);
            await this.#leases.release(lease);
          } else if (!(await this.#leases.renew(lease, this.#leaseMs))) this.#owned.delete(key);
        } catch {
          // Out of reach: renewed with the next tick, or found passed at the next fire.
        }
      }),
    );
  }
}
