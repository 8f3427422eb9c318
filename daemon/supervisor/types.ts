/** The supervisor's public vocabulary: what it reports, records and asks its owner to persist. */
import type {AuditEvent as ProtocolAuditEvent, ConfigDelivery, ConfigEntry, ConfigValue, HealthStatus, LogStream, ServiceState} from '../../src/protocol/index.js';

export type {ActionResult, ConfigDelivery, ConfigEntry, HealthStatus, LogStream, ServiceState} from '../../src/protocol/index.js';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ISO time the supervisor saw the process end. */
  at: string;
}

export interface ServiceSnapshot {
  namespace: string;
  /** The instance as shown and addressed: the service's name, or `api#2` while it runs several. */
  name: string;
  /** 0 … instances-1 (CAPSULE_INSTANCE). */
  instance: number;
  instances: number;
  description: string | null;
  /** As declared, with `{config.KEY}` filled in from the current values (never a secret: the config refuses one there). */
  command: string[] | string;
  state: ServiceState;
  /** null: no health probe is declared. */
  health: HealthStatus | null;
  /** What the last probe said, such as "HTTP 503" or "connection refused". */
  healthDetail: string | null;
  pid: number | null;
  /** Started by an earlier daemon and taken over: its output is not captured. */
  adopted: boolean;
  startedAt: string | null;
  uptimeMs: number | null;
  /** Restarts since the service was declared to this supervisor, automatic or not. */
  restarts: number;
  lastExit: ProcessExit | null;
  /** Summed over the process group; null until sampled or where /proc is missing. */
  cpuPercent: number | null;
  rssBytes: number | null;
  /** Dependencies a `starting` service waits for. */
  waitingFor: string[];
  /** When a service in `backoff` will be started again. */
  nextRestartAt: string | null;
  /** Why the service is `failed`, `unhealthy`, `lost`, or could not start. */
  reason: string | null;
  /** A remote service's agent: where it connected from and when it was last heard; null for a service the daemon starts. */
  remote: RemoteStatus | null;
}

/** Where a remote service's agent connected from, as it registered. */
export interface RemotePresence {
  /** The peer's IP address. */
  address: string;
  /** The host name the agent gave; null if it gave none. */
  host: string | null;
  /** The agent's own claim: a pid on its machine. */
  pid: number;
  version: string | null;
  connectedAt: string;
}

export interface RemoteStatus {
  connected: boolean;
  /** The last connection's; null before any. */
  presence: RemotePresence | null;
  lastHeartbeatAt: string | null;
}

/** `gone`: a process an earlier daemon recorded ended while no daemon watched it; its record was dropped. */
export type AuditKind = 'start' | 'stop' | 'crash' | 'exit' | 'restart' | 'failed' | 'adopt' | 'gone' | 'health' | 'config' | 'logs.flush' | 'action' | 'scale' | 'reload';

/**
 * What the supervisor asks its owner to add to the audit trail (the trail gives it its id): the
 * protocol's audit event of a service, `kind` one of the supervisor's. Secret config values never
 * appear in `details`: they are `***`.
 */
export type AuditEvent = Omit<ProtocolAuditEvent, 'id' | 'kind'> & {kind: AuditKind};

/** A running service process, recorded so a restarted daemon takes it over instead of starting a second copy. */
export interface PersistedProcess {
  namespace: string;
  /** The instance's key (ServiceDefinition.key): the service's name for instance 0, `name#N` for instance N. */
  name: string;
  pid: number;
  /** Clock ticks since boot (/proc/PID/stat field 22): tells this process from a later one given the same pid. */
  startTime: number;
  startedAt: string;
  /** What it was started from (`processFingerprint`): a process another declaration would not start is replaced, not adopted. */
  fingerprint: string;
  /** SHA-256 of the agent token this launch was given (see agent-token.ts); absent in a record written before tokens were per launch. */
  agentTokenHash?: string;
  /** Its output goes to capture files (output-capture.ts); absent in a record of a process given pipes, by a daemon from before. */
  captured?: boolean;
}

/** Where the supervisor keeps what must outlive the daemon. The daemon's store implements it. */
export interface SupervisorPersistence {
  listProcesses(): Promise<PersistedProcess[]>;
  /** Replaces the record of the same namespace/name (an instance's key). */
  saveProcess(record: PersistedProcess): Promise<void>;
  removeProcess(namespace: string, name: string): Promise<void>;
  /** Values set with `config set`, unmasked. */
  loadConfigValues(namespace: string, name: string): Promise<Record<string, ConfigValue>>;
  saveConfigValues(namespace: string, name: string, values: Record<string, ConfigValue>): Promise<void>;
  /** Whether an operator's stop holds the instance (`name`: its key) stopped: no autostart, reload or dependency starts it, only an operator's start. */
  loadStoppedByOperator(namespace: string, name: string): Promise<boolean>;
  saveStoppedByOperator(namespace: string, name: string, stopped: boolean): Promise<void>;
}

export interface LogLine {
  /** One more than the line before it in the service's log, across restarts; 0 for a line stored without one. */
  seq: number;
  time: string;
  /** `capsule` lines are the supervisor's own notes: started, exited, restarting. */
  stream: LogStream;
  text: string;
}

export interface ConfigSetResult {
  entry: ConfigEntry;
  /** The value before, masked like `entry.value`. */
  previous: ConfigValue | null;
  delivery: ConfigDelivery;
}

export interface ConfigChange {
  namespace: string;
  name: string;
  key: string;
  /** Unmasked: for delivery to the service itself; null when unset left the key without a value. */
  value: ConfigValue | null;
  values: Record<string, ConfigValue>;
}

export interface ActionOutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** What a service's embedded agent last said about its health; `ok: false` fails a heartbeat probe. */
export interface ReportedHealth {
  ok: boolean;
  detail: string | null;
}
