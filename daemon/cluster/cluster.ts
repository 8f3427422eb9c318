import type {Redis} from 'ioredis';
import type {BackendSettings} from '../../src/config/backend.js';
import type {ClusterSummary, NodeInfo} from '../../src/protocol/index.js';
import {CapsuleError} from '../../src/lib/errors.js';
import type {Logger} from '../core/logger.js';
import {backendFailure, connectBackend} from './backend.js';
import {nodeInfo, NodeRegistry, type LocalNode} from './node-registry.js';
import type {SharedLocks} from '../runner/runner-types.js';
import {RedisSharedLocks} from './shared-locks.js';
import {ScheduleOwners} from './schedule-owners.js';

/** The nodes this daemon is one of: itself alone on the file store, or every daemon sharing its Redis backend. */
export interface Cluster {
  /** "file", or the backend's URL with its password hidden. */
  readonly backend: string;
  nodes(): Promise<NodeInfo[]>;
  /** Lock keys across the nodes; undefined alone, where the runner's own lines suffice. */
  readonly locks: SharedLocks | undefined;
  /** Whether this node fires a schedule; undefined alone, where it fires them all. */
  readonly firesHere: ((scheduleKey: string) => Promise<boolean>) | undefined;
  summary(): ClusterSummary;
  /** Leaves the backend's list and closes the connection; last in a shutdown, once no attempt runs here. */
  close(): Promise<void>;
}

export async function joinCluster(backend: BackendSettings | null, node: LocalNode, logger: Logger): Promise<Cluster> {
  if (backend === null) return alone(node);
  const redis = await connectBackend(backend, logger);
  let registry: NodeRegistry;
  try {
    registry = await NodeRegistry.join(redis, node, logger);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  logger.info(`node ${node.name} joined the backend ${backend.display}`);
  const leasing = {node: node.name, leaseMs: node.leaseMs, logger};
  return shared(backend.display, node.name, redis, registry, new RedisSharedLocks(redis, leasing), new ScheduleOwners(redis, leasing));
}

function alone(node: LocalNode): Cluster {
  return {
    backend: 'file',
    locks: undefined,
    firesHere: undefined,
    nodes: () => {
      const now = Date.now();
      return Promise.resolve([nodeInfo(node.name, node.facts(), now, now, node.name, node.leaseMs)]);
    },
    summary: () => ({node: node.name, backend: 'file', up: 1, lost: 0, reachable: true}),
    close: () => Promise.resolve(),
  };
}

function shared(display: string, name: string, redis: Redis, registry: NodeRegistry, locks: RedisSharedLocks, schedules: ScheduleOwners): Cluster {
  return {
    backend: display,
    locks,
    firesHere: (key) => schedules.firesHere(key),
    nodes: async () => {
      try {
        return await registry.list();
      } catch (error) {
        throw new CapsuleError('failed', `the backend ${display} did not answer: ${backendFailure(error)}`, {
          hint: 'is its redis-server up and reachable from here? This daemon keeps trying, and goes on with the work it has meanwhile',
        });
      }
    },
    summary: () => {
      const others = registry.last.filter((node) => !node.self);
      return {node: name, backend: display, up: 1 + others.filter((node) => node.state === 'up').length, lost: others.filter((node) => node.state === 'lost').length, reachable: registry.reachable};
    },
    close: async () => {
      await Promise.all([locks.close(), schedules.close()]);
      await registry.leave();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
