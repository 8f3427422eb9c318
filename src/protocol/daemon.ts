import {z} from 'zod';
import {Instant, NoParams} from './common.js';
import {ClusterSummary} from './nodes.js';

export const HelloParams = z.strictObject({
  protocol: z.number().int(),
  client: z.string(),
  /**
   * Ignored: earlier clients of this protocol send the OS user they run as. The daemon does
   * not take a client's word for who it is (see the router's connectionActor).
   */
  user: z.string().optional(),
});

/** Whether sandboxed tasks can run on the daemon's machine, and if not, why and how to fix it. */
export const SandboxStatus = z.object({
  available: z.boolean(),
  /** What bubblewrap found: its path, or what stops it. */
  reason: z.string(),
  hint: z.string().nullable(),
});
export type SandboxStatus = z.infer<typeof SandboxStatus>;

export const DaemonStatus = z.object({
  pid: z.number().int(),
  version: z.string(),
  protocol: z.number().int(),
  startedAt: Instant,
  uptimeMs: z.number(),
  rssBytes: z.number(),
  heapUsedBytes: z.number(),
  socket: z.string(),
  home: z.string(),
  projectCount: z.number().int(),
  nodeVersion: z.string(),
  /** null while the daemon still probes for it (a few ms after its start); daemons before issue 16 do not say. */
  sandbox: SandboxStatus.nullable().optional(),
  /** Code sessions by state; daemons before issue 20 do not say. */
  sessions: z.object({idle: z.number().int(), busy: z.number().int(), lost: z.number().int()}).optional(),
  /** Daemons before issue 18 do not say. */
  cluster: ClusterSummary.optional(),
});
export type DaemonStatus = z.infer<typeof DaemonStatus>;

const Topics = z.strictObject({topics: z.array(z.string().min(1))});

export const daemonMethods = {
  hello: {params: HelloParams, result: z.object({protocol: z.number().int(), version: z.string(), pid: z.number().int()})},
  'daemon.status': {params: NoParams, result: DaemonStatus},
  /**
   * `timeoutMs`: how long running work may take to finish before it is stopped. `withinMs`: the
   * longest the daemon's shutdown may take (the timeout, or its services' stops if longer:
   * stop_timeout and SIGKILL's wait, dependents first), flushing and exiting aside; daemons
   * before issue 13 do not say it.
   */
  'daemon.stop': {
    params: z.strictObject({timeoutMs: z.number().nonnegative().default(10_000), leaveServices: z.boolean().default(false)}),
    result: z.object({stopping: z.literal(true), withinMs: z.number().nonnegative().optional()}),
  },
  subscribe: {params: Topics, result: z.object({topics: z.array(z.string())})},
  unsubscribe: {params: Topics, result: z.object({topics: z.array(z.string())})},
};
