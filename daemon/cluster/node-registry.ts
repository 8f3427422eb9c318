import {randomBytes} from 'node:crypto';
import {availableParallelism, hostname, loadavg} from 'node:os';
import type {Redis} from 'ioredis';
import {compareStrings} from '../../src/lib/compare.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {isAlive} from '../../src/lib/process.js';
import type {NodeInfo, ProjectService} from '../../src/protocol/index.js';
import type {Logger} from '../core/logger.js';
import {backendFailure, KEY_PREFIX, Script} from './backend.js';
import {Leases, renewEveryMs, type Lease} from './lease.js';

/** A node silent this long is dropped from the list: lost for a day, it is not coming back as it was. */
const FORGET_AFTER_MS = 24 * 3_600_000;

const NODES = `${KEY_PREFIX}nodes`;
const NODE_FACTS = `${KEY_PREFIX}nodes:facts`;
/** name → JSON of the node's services, as `capsule services` lists them. */
const NODE_SERVICES = `${KEY_PREFIX}nodes:services`;

/** A node's services are written when their states change, and this often at least (their CPU, memory, uptime). */
const SERVICES_REFRESH_MS = 5_000;

/** What a node tells the others of itself, written at each heartbeat. */
export interface NodeFacts {
  version: string;
  host: string;
  pid: number;
  capacity: number;
  running: number;
  load: number;
  cores: number;
  startedAt: string;
  leaseMs: number;
}

// KEYS[1] nodes (a sorted set: name → last heartbeat, by the server's clock), KEYS[2] their facts
// and KEYS[3] their services (hashes: name → JSON); ARGV forget-after ms, then optionally a name
// and its facts to write first.
// Returns {now, name, heartbeat, facts, …}, dropping the nodes silent past forget-after.
const HEARTBEAT = new Script(
  `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if ARGV[2] then
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
end
for _, name in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))) do
  redis.call('ZREM', KEYS[1], name)
  redis.call('HDEL', KEYS[2], name)
  redis.call('HDEL', KEYS[3], name)
end
local out = {now}
local nodes = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #nodes, 2 do
  out[#out + 1] = nodes[i]
  out[#out + 1] = nodes[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], nodes[i]) or '{}'
end
return out
`,
  3,
);

const LEAVE = new Script(
  `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
`,
  3,
);

/** This daemon as a node: its name, its lease, and its facts as of now. */
export interface LocalNode {
  name: string;
  leaseMs: number;
  facts(): NodeFacts;
  /** Its services now, for the other nodes' `capsule services`. */
  services(): ProjectService[];
}

/** `running`: attempts running now; `capacity`: at once at most. */
export function localNode({
  name,
  leaseMs,
  version,
  capacity,
  running,
  services,
}: {
  name: string;
  leaseMs: number;
  version: string;
  capacity: number;
  running: () => number;
  services: () => ProjectService[];
}): LocalNode {
  const startedAt = new Date().toISOString();
  return {
    name,
    leaseMs,
    services,
    facts: () => ({version, host: hostname(), pid: process.pid, capacity, running: running(), load: Math.round(loadavg()[0]! * 100) / 100, cores: availableParallelism(), startedAt, leaseMs}),
  };
}

/** A node's facts and heartbeat as the list shows them. */
export function nodeInfo(name: string, facts: Partial<NodeFacts>, heartbeat: number, now: number, self: string, defaultLeaseMs: number): NodeInfo {
  const leaseMs = facts.leaseMs ?? defaultLeaseMs;
  return {
    name,
    self: name === self,
    state: now - heartbeat > leaseMs ? 'lost' : 'up',
    version: facts.version ?? '?',
    host: facts.host ?? '?',
    pid: facts.pid ?? 0,
    capacity: facts.capacity ?? 0,
    running: facts.running ?? 0,
    load: facts.load ?? 0,
    cores: facts.cores ?? 0,
    startedAt: facts.startedAt ?? new Date(heartbeat).toISOString(),
    heartbeatAt: new Date(heartbeat).toISOString(),
    leaseMs,
  };
}

/**
 * This daemon's place among the nodes sharing its backend. Its name is a fenced lease, renewed
 * with each heartbeat (three per lease), so two daemons never answer to one name, and a node that
 * stops renewing (killed, frozen, cut off) is seen as lost by the others once its lease is out.
 * Each heartbeat also brings back the list of nodes, which the dashboard's header counts.
 */
export class NodeRegistry {
  readonly #redis: Redis;
  readonly #node: LocalNode;
  readonly #logger: Logger;
  readonly #leases: Leases;
  #lease: Lease;
  #timer: NodeJS.Timeout | null = null;
  #beating: Promise<void> | null = null;
  #last: NodeInfo[] = [];
  /** The last heartbeat reached the backend. */
  #reachable = true;
  /** Another daemon holds this node's name (it was out of touch past its lease). */
  #displaced = false;
  /** The services as last written: their states, and when. */
  #servicesWritten = {states: '', at: 0};

  private constructor(redis: Redis, node: LocalNode, logger: Logger, leases: Leases, lease: Lease) {
    this.#redis = redis;
    this.#node = node;
    this.#logger = logger;
    this.#leases = leases;
    this.#lease = lease;
  }

  /** Takes the node's name on the backend; refuses it while another live daemon holds it. */
  static async join(redis: Redis, node: LocalNode, logger: Logger): Promise<NodeRegistry> {
    const leases = new Leases(redis, KEY_PREFIX);
    const owner = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
    const leaseName = `node:${node.name}`;
    let grant = await leases.acquire(leaseName, owner, node.leaseMs);
    if ('heldBy' in grant) {
      const [host, pid] = grant.heldBy.split('/');
      // This machine's daemon that died holding the name (kill -9, a crash): its lease is taken now, not waited out.
      if (host === hostname() && !isAlive(Number(pid))) grant = await leases.acquire(leaseName, owner, node.leaseMs, {from: grant.heldBy});
    }
    if ('heldBy' in grant) {
      const [host, pid] = grant.heldBy.split('/');
      throw new CapsuleError('failed', `node "${node.name}" is already up on this backend (pid ${pid} on ${host}; its lease has ${Math.ceil(grant.expiresInMs / 1000)}s left)`, {
        hint: 'give each daemon its own name: node = "worker-b" (say) in its daemon.toml',
      });
    }
    const registry = new NodeRegistry(redis, node, logger, leases, grant.lease);
    await registry.#beat();
    registry.#timer = setInterval(() => registry.#heartbeat(), renewEveryMs(node.leaseMs));
    return registry;
  }

  /** Every node, as of now, by name. */
  async list(): Promise<NodeInfo[]> {
    const reply = (await HEARTBEAT.run(this.#redis, NODES, NODE_FACTS, NODE_SERVICES, FORGET_AFTER_MS)) as (string | number)[];
    return this.#read(reply);
  }

  /** As of the last heartbeat: for a header refreshed often, at no cost to the backend. */
  get last(): readonly NodeInfo[] {
    return this.#last;
  }

  /** Whether the last heartbeat reached the backend. */
  get reachable(): boolean {
    return this.#reachable;
  }

  /** Stops the heartbeat and gives the name back: the node leaves the list at once, not lost. */
  async leave(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#beating;
    try {
      await this.#leases.release(this.#lease);
      await LEAVE.run(this.#redis, NODES, NODE_FACTS, NODE_SERVICES, this.#node.name);
    } catch (error) {
      // Then it shows as lost once its lease runs out, which is also true.
      this.#logger.warn(`node ${this.#node.name} could not leave the backend's list: ${backendFailure(error)}`);
    }
  }

  #heartbeat(): void {
    // One at a time: a slow backend gets no pile of them, the next tick tries again.
    if (this.#beating || this.#timer === null) return;
    this.#beating = this.#beat()
      .then(() => {
        this.#reachable = true;
      })
      .catch((error: unknown) => {
        // Once per outage: the connection's own warnings tell of the retries.
        if (this.#reachable) this.#logger.warn(`node ${this.#node.name}: heartbeat failed: ${backendFailure(error)}`);
        this.#reachable = false;
      })
      .finally(() => (this.#beating = null));
  }

  async #beat(): Promise<void> {
    const {name, leaseMs} = this.#node;
    if (!(await this.#leases.renew(this.#lease, leaseMs))) {
      // Silent past its lease (a frozen process, a backend out of reach): the others saw it lost.
      const grant = await this.#leases.acquire(this.#lease.name, this.#lease.owner, leaseMs);
      if ('heldBy' in grant) {
        // Once: it goes on asking for its name, in case the other daemon goes.
        if (!this.#displaced) this.#logger.error(`node ${name}: another daemon (${grant.heldBy}) took this node's name while it was out of touch; stop one of them, or give each a name of its own in daemon.toml`);
        this.#displaced = true;
        return;
      }
      this.#displaced = false;
      this.#logger.warn(`node ${name}: its lease had run out; it is up again (token ${grant.lease.token})`);
      this.#lease = grant.lease;
    }
    const reply = (await HEARTBEAT.run(this.#redis, NODES, NODE_FACTS, NODE_SERVICES, FORGET_AFTER_MS, name, JSON.stringify(this.#node.facts()))) as (string | number)[];
    this.#last = this.#read(reply);
    await this.#writeServices();
  }

  /** The other nodes' services, by node, as each last wrote them. */
  async othersServices(): Promise<Map<string, ProjectService[]>> {
    const all = await this.#redis.hgetall(NODE_SERVICES);
    return new Map(Object.entries(all).flatMap(([node, json]) => (node === this.#node.name ? [] : [[node, JSON.parse(json) as ProjectService[]]])));
  }

  async #writeServices(): Promise<void> {
    const services = this.#node.services();
    const states = services.map((service) => `${service.namespace}/${service.name} ${service.state} ${service.health} ${service.pid} ${service.restarts}`).join('\n');
    const now = Date.now();
    if (states === this.#servicesWritten.states && now - this.#servicesWritten.at < SERVICES_REFRESH_MS) return;
    await this.#redis.hset(NODE_SERVICES, this.#node.name, JSON.stringify(services));
    this.#servicesWritten = {states, at: now};
  }

  #read(reply: (string | number)[]): NodeInfo[] {
    const now = Number(reply[0]);
    const nodes: NodeInfo[] = [];
    for (let at = 1; at + 2 < reply.length; at += 3) {
      nodes.push(nodeInfo(String(reply[at]), JSON.parse(String(reply[at + 2])) as Partial<NodeFacts>, Number(reply[at + 1]), now, this.#node.name, this.#node.leaseMs));
    }
    return nodes.sort((a, b) => compareStrings(a.name, b.name));
  }
}
