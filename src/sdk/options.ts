/** A CPU-time budget level, or CPU milliseconds. */
export type Compute = 'LOW' | 'MEDIUM' | 'HIGH' | number;

/** A duration: "500ms", "30s", "5m", "1h", or milliseconds. */
export type Duration = string | number;

/** Delay before each retry: `initial × factor^(retry - 1)`, capped at `max`, then jittered. */
export interface BackoffOptions {
  /** Delay before the first retry. @default "1s" */
  initial?: Duration;
  /** Growth per retry. @default 2 */
  factor?: number;
  /** Upper bound of the delay. @default "5m" */
  max?: Duration;
  /** Shorten each delay at random so retries of many runs spread out: true = by up to a fifth, false = never, a number from 0 to 1 = by up to that fraction. @default true */
  jitter?: boolean | number;
}

/** A cron rule that submits runs of this task; the same keys as a `[schedules.NAME]` table, in camelCase. */
export interface ScheduleOptions {
  /** The schedule's name within the project. @default the task's name */
  name?: string;
  /** Cron expression: five fields, or six with seconds first ("30 * * * * *"), or @hourly, @daily ... */
  cron: string;
  /** IANA time zone the expression is read in. @default the daemon's time zone */
  timezone?: string;
  /** Input given to each scheduled run. @default {} */
  input?: Record<string, unknown>;
  /** A fire while the previous run is queued or running: skip it, queue at most one, or allow it. @default "skip" */
  overlap?: 'skip' | 'queue' | 'allow';
  /** Fires missed while the daemon was down: none, the latest one, or all of them (at most 100). @default "latest" */
  catchUp?: 'none' | 'latest' | 'all';
  /** How far back missed fires count. @default "1h" */
  catchUpWindow?: Duration;
  /** A random delay up to this before each fire, to spread load. @default "0s" */
  jitter?: Duration;
  /** @default true */
  enabled?: boolean;
}

export interface TaskOptions {
  /** Name of the task within its project. @default the name of the export holding it ("default" exports: the file's base name) */
  name?: string;
  /** CPU-time budget per attempt: "LOW" (5s), "MEDIUM" (30s), "HIGH" (120s) or milliseconds. @default `[defaults] compute`, else "MEDIUM" */
  compute?: Compute;
  /** Memory cap per attempt, with its unit, at least "1MB": "256MB", "1GB". Heap for threads; heap and resident memory for processes. @default `[defaults] ram` */
  ram?: string;
  /** Wall-clock limit per attempt: "30s", "5m". @default `[defaults] timeout` */
  timeout?: Duration;
  /** Attempts after the first one failed; a `FatalError` is never retried. @default `[defaults] max_retries` */
  maxRetries?: number;
  /** Delay between attempts. */
  backoff?: BackoffOptions;
  /**
   * Environment the task sees, on top of a minimal base (PATH, HOME, LANG, TZ): names copied from
   * the daemon's environment, or name → value. Nothing else of the daemon's environment is visible.
   * @default []
   */
  env?: string[] | Record<string, string>;
  /**
   * "thread": a worker thread (fast start, heap cap only). "process": a child process (RSS cap, kernel CPU limit, survives crashes).
   * Both are for trusted code. "sandbox": a fresh process in bubblewrap that sees the project read-only, its node_modules and
   * what `allowedFiles`, `allowedHosts` and `env` declare, nothing else. @default `[defaults] isolation`, else "thread"
   */
  isolation?: 'thread' | 'process' | 'sandbox';
  /**
   * Sandbox only: paths inside the project it may reach besides the project itself (read-only), relative to the project root,
   * each "PATH" or "PATH:ro" (read-only) or "PATH:rw" (read-write). A path, or a symlink on its way, that leaves the project is refused.
   * Replaces `[defaults] allowed_files`. @default `[defaults] allowed_files`, else []
   */
  allowedFiles?: string[];
  /**
   * Sandbox only: hosts its `fetch`, `http` and `https` may reach, through the daemon's proxy: "api.example.com", "*.example.org",
   * "127.0.0.1:8080", "[::1]:8080", "api.example.com:443" (without a port: any port). Replaces `[defaults] allowed_hosts`.
   * @default `[defaults] allowed_hosts`, else [] (no network)
   */
  allowedHosts?: string[];
  /** Sandbox only: size cap of `ctx.scratchDir`, with its unit, at least "1MB". @default `[defaults] scratch`, else "64MB" */
  scratch?: string;
  /** Most runs of this task at once. @default unlimited (the daemon's parallelism still applies) */
  concurrency?: number;
  /** Key template filled from the input, e.g. "report:{id}": at most one run per key at a time. @default none */
  lock?: string;
  /** When the lock is held: "queue" waits for it, "skip" drops the new run. @default "queue" */
  lockMode?: 'queue' | 'skip';
  /** Run on a cron rule: a cron expression, or the rule with its time zone and input. @default none */
  schedule?: string | ScheduleOptions;
}
