export interface HelloParams {
  protocol: number;
  client: string;
  /** The OS user running the client, recorded as the actor of audit events. */
  user?: string;
}

export interface HelloResult {
  protocol: number;
  version: string;
  pid: number;
}

export interface DaemonStatus {
  pid: number;
  version: string;
  protocol: number;
  startedAt: string;
  uptimeMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  socket: string;
  home: string;
  projectCount: number;
  nodeVersion: string;
}

export interface DaemonStopParams {
  /** How long running work may take to finish before it is stopped, in ms. */
  timeoutMs: number;
}

export interface DaemonMethods {
  hello: {params: HelloParams; result: HelloResult};
  'daemon.status': {params: Record<string, never>; result: DaemonStatus};
  'daemon.stop': {params: DaemonStopParams; result: {stopping: true}};
  subscribe: {params: {topics: string[]}; result: {topics: string[]}};
  unsubscribe: {params: {topics: string[]}; result: {topics: string[]}};
}
