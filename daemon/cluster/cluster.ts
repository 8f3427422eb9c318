import type {Redis} from 'ioredis';
import type {BackendSettings} from '../../src/config/backend.js';
import {CapsuleError, toCapsuleError} from '../../src/lib/errors.js';
import {nearestName} from '../../src/lib/suggest.js';
import type {ClusterSummary, NodeInfo, ProjectService} from '../../src/protocol/index.js';
import type {Logger} from '../core/logger.js';
import type {SharedLocks} from '../runner/runner-types.js';
import {backendFailure, connectBackend} from './backend.js';
import {NOBODY_LISTENING, NodeCalls, type CallServer, type NodeCallMethod} from './node-calls.js';
import {nodeInfo, NodeRegistry, type LocalNode} from './node-registry.js';
import {ScheduleOwners} from './schedule-owners.js';
import {SharedAttempts, type LocalTasks} from './shared-attempts.js';
import type {Executor} from '../runner/executor-api.js';
import {RedisSharedLocks} from './shared-locks.js';

export interface SharedExecutor {
  executor: Executor;
  /** Tells it what this node has loaded, once the runner is made. */
  attach(tasks: LocalTasks): void;
  /** Attempts running on this node now; null alone, where the runner counts them. */
  executing(): number | null;
}

/** The nodes this daemon is one of: itself alone on the file store, or every daemon sharing its Redis backend. */
export interface Cluster {
  /** This daemon's name among the nodes. */
  readonly node: string;
  /** "file", or the backend's URL with its password hidden. */
  readonly backend: string;
  /** Lock keys across the nodes; undefined alone, where the runner's own lines suffice. */
  readonly locks: SharedLocks | undefined;
  /** Whether this node fires a schedule; undefined alone, where it fires them all. */
  readonly firesHere: ((scheduleKey: string) => Promise<boolean>) | undefined;
  /** Which schedules this node still fires (defined, enabled, not paused): the others it gives back to the other nodes. */
  keepSchedules(keep: (scheduleKey: string) => boolean): void;
  nodes(): Promise<NodeInfo[]>;
  summary(): ClusterSummary;
  /** The other nodes' services (of `namespace`, if given), each row naming its node; none alone, or while the backend is out of reach. */
  othersServices(namespace?: string): Promise<ProjectService[]>;
  /** Has another node do `method` as `actor` (`capsule restart NS/NAME@node`). */
  call(node: string, method: NodeCallMethod, params: unknown, actor: string): Promise<unknown>;
  /**
   * What runs the runner's attempts: with a backend, `local` shared with the other nodes through
   * BullMQ (`concurrency` attempts at once here); alone, `local` itself.
   */
  shareAttempts(local: Executor, concurrency: number): SharedExecutor;
  /** Serves the other nodes' calls of `method` from now on. */
  serve(method: NodeCallMethod, server: CallServer): void;
  /** Leaves the backend's list and closes the connections; last in a shutdown, once no attempt runs here. */
  close(): Promise<void>;
}

export async function joinCluster(backend: BackendSettings | null, node: LocalNode, logger: Logger): Promise<Cluster> {
  if (backend === null) return alone(node);
  const redis = await connectBackend(backend, logger);
  let registry: NodeRegistry | undefined;
  try {
    registry = await NodeRegistry.join(redis, node, logger);
    const calls = await NodeCalls.listen(redis, node.name, logger);
    logger.info(`node ${node.name} joined the backend ${backend.display}`);
    const leasing = {node: node.name, leaseMs: node.leaseMs, logger};
    return shared({backend, leaseMs: node.leaseMs, name: node.name, redis, registry, calls, logger, locks: new RedisSharedLocks(redis, leasing), schedules: new ScheduleOwners(redis, leasing)});
  } catch (error) {
    await registry?.leave();
    redis.disconnect();
    throw error;
  }
}

function alone(node: LocalNode): Cluster {
  return {
    node: node.name,
    backend: 'file',
    locks: undefined,
    firesHere: undefined,
    keepSchedules: () => {},
    nodes: () => {
      const now = Date.now();
      return Promise.resolve([nodeInfo(node.name, node.facts(), now, now, node.name, node.leaseMs)]);
    },
    summary: () => ({node: node.name, backend: 'file', up: 1, lost: 0, reachable: true}),
    othersServices: () => Promise.resolve([]),
    shareAttempts: (local) => ({executor: local, attach: () => {}, executing: () => null}),
    call: (other) =>
      Promise.reject(new CapsuleError('not_found', `no node ${other}: this daemon (${node.name}) has no backend, it is the only node`, {hint: 'set `backend` in daemon.toml to share one Redis with other nodes'})),
    serve: () => {},
    close: () => Promise.resolve(),
  };
}

/**
 * A call to another node that failed, said as the operator needs it: a node nobody listens as is
 * lost (and when it was last heard of) or misspelt (and which name is near); what the node itself
 * refused is said to be its answer, for its hint names commands to run there.
 */
function aboutNode(node: string, error: CapsuleError, known: readonly NodeInfo[]): CapsuleError {
  if (error.details !== NOBODY_LISTENING) return new CapsuleError(error.code, `node ${node} answered: ${error.message}`, {hint: error.hint});
  const lost = known.find((each) => each.name === node);
  if (lost) return new CapsuleError('failed', `node ${node} is lost: last heard of at ${lost.heartbeatAt}`, {hint: 'try again once it is back up; `capsule nodes` shows it'});
  const near = nearestName(node, known.map((each) => each.name));
  return new CapsuleError('not_found', `no node ${node} is up on this backend`, {hint: near ? `did you mean "${near}"?` : error.hint});
}

interface SharedParts {
  backend: BackendSettings;
  leaseMs: number;
  name: string;
  logger: Logger;
  redis: Redis;
  registry: NodeRegistry;
  calls: NodeCalls;
  locks: RedisSharedLocks;
  schedules: ScheduleOwners;
}

function shared({backend, leaseMs, name, logger, redis, registry, calls, locks, schedules}: SharedParts): Cluster {
  const display = backend.display;
  const unanswered = (error: unknown) =>
    new CapsuleError('failed', `the backend ${display} did not answer: ${backendFailure(error)}`, {
      hint: 'is its redis-server up and reachable from here? This daemon keeps trying, and goes on with the work it has meanwhile',
    });
  return {
    node: name,
    backend: display,
    locks,
    firesHere: (key) => schedules.firesHere(key),
    keepSchedules: (keep) => schedules.keepOnly(keep),
    nodes: async () => {
      try {
        return await registry.list();
      } catch (error) {
        throw unanswered(error);
      }
    },
    summary: () => {
      const others = registry.last.filter((node) => !node.self);
      return {node: name, backend: display, up: 1 + others.filter((node) => node.state === 'up').length, lost: others.filter((node) => node.state === 'lost').length, reachable: registry.reachable};
    },
    othersServices: async (namespace) => {
      let byNode: Map<string, ProjectService[]>;
      try {
        byNode = await registry.othersServices();
      } catch {
        // This node's own services are still worth listing; `daemon status` and the dashboard's header say the backend is out of reach.
        return [];
      }
      const lost = new Map(registry.last.filter((node) => node.state === 'lost').map((node) => [node.name, node.heartbeatAt]));
      return [...byNode].flatMap(([node, services]) =>
        services
          .filter((service) => namespace === undefined || service.namespace === namespace)
          // Whatever became of them, their node no longer says: lost with it.
          .map((service) => (lost.has(node) ? {...service, node, state: 'lost' as const, health: null, reason: `node ${node} is lost (last heard of at ${lost.get(node)})`} : {...service, node})),
      );
    },
    shareAttempts: (local, concurrency) => {
      const nodeUp = (node: string) => registry.last.some((each) => each.name === node && each.state === 'up');
      const attempts = new SharedAttempts({local, backend, node: name, leaseMs, concurrency, calls, nodeUp, logger});
      return {executor: attempts, attach: (tasks) => attempts.attach(tasks), executing: () => attempts.executing};
    },
    call: async (node, method, params, actor) => {
      try {
        return await calls.call(node, method, params, actor);
      } catch (error) {
        throw aboutNode(node, toCapsuleError(error), registry.last);
      }
    },
    serve: (method, server) => calls.serve(method, server),
    close: async () => {
      await Promise.all([locks.close(), schedules.close(), calls.close()]);
      await registry.leave();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
