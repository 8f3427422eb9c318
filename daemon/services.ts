import type {Cluster} from './cluster/cluster.js';
import type {DaemonStatus, SandboxStatus} from '../src/protocol/index.js';
import type {HomePaths} from '../src/lib/home.js';
import type {AuditLog} from './core/audit-log.js';
import type {EventBus} from './core/event-bus.js';
import type {Logger} from './core/logger.js';
import type {ProjectRegistry} from './projects/registry.js';

/** What handlers reach: the daemon's long-lived parts, each owned and closed by the Daemon. */
export interface DaemonServices {
  version: string;
  startedAt: number;
  paths: HomePaths;
  logger: Logger;
  bus: EventBus;
  audit: AuditLog;
  projects: ProjectRegistry;
  /** Whether sandboxed tasks can run here; null until the start's probe ends. */
  sandbox(): SandboxStatus | null;
  /** The nodes sharing this daemon's backend (daemon/cluster). */
  cluster: Cluster;
  /** Code sessions by state (daemon/sessions). */
  sessions(): NonNullable<DaemonStatus['sessions']>;
  requestShutdown(timeoutMs: number, options?: ShutdownOptions): void;
  /** The longest a shutdown asked now may take, flushing and exiting aside: what `daemon stop` waits for. */
  shutdownWithinMs(timeoutMs: number, options?: ShutdownOptions): number;
}

export interface ShutdownOptions {
  /** Services' processes keep running, for the next daemon to adopt (live restore). */
  leaveServices?: boolean;
}
