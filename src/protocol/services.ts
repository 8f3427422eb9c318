export type ServiceState = 'starting' | 'running' | 'healthy' | 'unhealthy' | 'backoff' | 'stopped' | 'exited' | 'failed';

/** A service as `capsule list`, `capsule services` and the dashboard show it. */
export interface ServiceSummary {
  name: string;
  command: string[] | string;
  description: string | null;
  state: ServiceState;
  /** null when the service declares no health check. */
  health: 'healthy' | 'unhealthy' | 'unknown' | null;
  pid: number | null;
  uptimeMs: number | null;
  restarts: number;
  lastExit: {code: number | null; signal: string | null; at: string} | null;
  cpuPercent: number | null;
  rssBytes: number | null;
  /** Whether an embedded agent is connected (config changes then apply live). */
  agent: boolean;
  actions: {name: string; description: string | null}[];
}

export interface ServiceRef {
  namespace: string;
  name: string;
}

export interface ConfigEntry {
  key: string;
  type: 'string' | 'number' | 'integer' | 'boolean';
  /** Secrets are always "***" here. */
  value: string | number | boolean | null;
  default: string | number | boolean | null;
  description: string | null;
  secret: boolean;
  /** Set by an operator (not the declared default). */
  overridden: boolean;
}

export interface ServiceLogLine {
  namespace: string;
  name: string;
  /**
   * The line's place in the service's log: one more for each next line, kept in the log file so it
   * goes on counting across daemon restarts and rotations; 0 for a line written before Capsule kept
   * these. A follower drops a line whose seq it already has (see `service.logs`).
   */
  seq: number;
  time: string;
  /** `capsule`: the supervisor's own notes (started, exited, restarting). */
  stream: 'stdout' | 'stderr' | 'capsule';
  line: string;
}

export interface ServiceMethods {
  'service.list': {params: {namespace?: string}; result: {services: (ServiceSummary & {namespace: string})[]}};
  /** `name` omitted: every service of the namespace. */
  'service.start': {params: {namespace: string; name?: string}; result: {services: (ServiceSummary & {namespace: string})[]}};
  'service.stop': {params: {namespace: string; name?: string}; result: {services: (ServiceSummary & {namespace: string})[]}};
  'service.restart': {params: {namespace: string; name?: string}; result: {services: (ServiceSummary & {namespace: string})[]}};
  /** `follow`: also subscribes to later lines (topic `service:<ns>/<name>`), as `run.logs` does: see there. */
  'service.logs': {params: ServiceRef & {tail?: number; follow?: boolean}; result: {lines: ServiceLogLine[]}};
  'service.config.list': {params: ServiceRef; result: {entries: ConfigEntry[]}};
  'service.config.get': {params: ServiceRef & {key: string}; result: {entry: ConfigEntry}};
  /**
   * `value` is parsed and validated against the declared type. `applied`: delivered `live` to the
   * agent, applied by `restart`, `stored` for the next start (the service is not running), or
   * `unchanged`.
   */
  'service.config.set': {params: ServiceRef & {key: string; value: string}; result: {entry: ConfigEntry; applied: 'live' | 'restart' | 'stored' | 'unchanged'}};
  /** Output streams as `service.actionOutput` events to the caller while the action runs. */
  'service.action': {params: ServiceRef & {action: string; args: Record<string, string>}; result: {exitCode: number; signal: string | null; timedOut: boolean; output: string; result: unknown}};
}

/** Topic `service`; one service's events also go to `service:<ns>/<name>`. */
export interface ServiceEvents {
  'service.updated': ServiceSummary & {namespace: string};
  'service.log': ServiceLogLine;
  /** Streamed output of a running action, before its result; only to the caller (topic `action:<key>`). */
  'action.output': ServiceRef & {action: string; chunk: string};
}
