/**
 * The nodes of a cluster: the daemons sharing one backend. A daemon with no backend is a cluster
 * of one, itself, on the file store.
 */
import {z} from 'zod';
import {Instant, NoParams} from './common.js';
import {NODE_STATES} from './vocabulary.js';

export const NodeInfo = z.object({
  name: z.string(),
  /** The daemon answering. */
  self: z.boolean(),
  state: z.enum(NODE_STATES),
  version: z.string(),
  host: z.string(),
  pid: z.number().int(),
  /** Attempts it runs at once at most (CAPSULE_MAX_PARALLEL). */
  capacity: z.number().int(),
  /** Attempts running on it at its last heartbeat. */
  running: z.number().int(),
  /** Its machine's 1-minute load average, and its core count to read it against. */
  load: z.number(),
  cores: z.number().int(),
  startedAt: Instant,
  /** By the backend's clock, so the machines' clocks need not agree. */
  heartbeatAt: Instant,
  /** Silent for longer than this, it is lost. */
  leaseMs: z.number(),
});
export type NodeInfo = z.infer<typeof NodeInfo>;

/** The cluster at a glance, for the dashboard's header: this node and how many others are up or lost. */
export const ClusterSummary = z.object({
  node: z.string(),
  /** "file", or the backend's URL with its password hidden. */
  backend: z.string(),
  up: z.number().int(),
  lost: z.number().int(),
  /** false: this node's last heartbeat did not reach the backend (the counts are as of the one before). */
  reachable: z.boolean(),
});
export type ClusterSummary = z.infer<typeof ClusterSummary>;

export const nodeMethods = {
  /** Every node the backend knows, by name; a node gone for a day is forgotten. */
  'nodes.list': {params: NoParams, result: z.object({backend: z.string(), nodes: z.array(NodeInfo)})},
};
