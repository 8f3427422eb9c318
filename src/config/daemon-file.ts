/**
 * CAPSULE_HOME/daemon.toml: the daemon's own settings, read once at start. Checked as capsule.toml
 * is (strict keys, each issue with its line and column, the nearest key for a misspelt one); a
 * missing file is the defaults.
 */
import {readFile, stat} from 'node:fs/promises';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {z} from 'zod';
import {CapsuleError} from '../lib/errors.js';
import {parseAddress} from '../protocol/remote-token.js';
import {nodeNameProblem, parseBackend, type BackendSettings} from './backend.js';
import {MAX_CONFIG_BYTES} from './bounds.js';
import {parseConfigText} from './parse.js';
import {duration} from './values.js';

export const DAEMON_FILE_NAME = 'daemon.toml';

export interface HostPort {
  host: string;
  port: number;
}

/** `[sessions]`: the code sessions' pool, cap and the limits of one opened without its own. */
export interface SessionSettings {
  /** Ready hosts kept once a session has been opened; 0: none, each open starts a process. */
  warm: number;
  /** Open sessions at most (lost ones not counted); one more is refused, not queued. */
  max: number;
  idleTimeoutMs: number;
  maxAgeMs: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {warm: 2, max: 128, idleTimeoutMs: 15 * 60_000, maxAgeMs: 24 * 60 * 60_000};

export const DEFAULT_NODE_LEASE_MS = 5_000;

/** Who this daemon is among the nodes, and where they meet. */
export interface ClusterSettings {
  /** null: the file store, this daemon alone. */
  backend: BackendSettings | null;
  /** `node`, as checked; null: the host name, checked only once a backend needs it (hostNodeName). */
  node: string | null;
  /** How long a node silent on the backend is still counted up; past it, it is lost. */
  nodeLeaseMs: number;
}

export interface DaemonFileConfig {
  /** Where remote agents connect (TLS). null: no TCP port is opened. */
  listen: HostPort | null;
  /** The address written into agent tokens: `advertise`, else `listen` with a wildcard host replaced by the host name. null without `listen`. */
  advertise: HostPort | null;
  sessions: SessionSettings;
  cluster: ClusterSettings;
}

const address = (example: string) =>
  z.string().transform((value, ctx): HostPort => {
    const parsed = parseAddress(value);
    if (parsed === null) {
      ctx.issues.push({code: 'custom', message: `expected "host:port" with a port from 1 to 65535, such as "${example}" (an IPv6 host in brackets: "[::]:7700"), got ${JSON.stringify(value)}`, input: value});
      return z.NEVER;
    }
    return parsed;
  });

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

const positiveDuration = (what: string, example: string) => duration(what).refine((value) => value > 0, {message: `${what} must be above zero, such as "${example}"`});

const sessions = z.strictObject({
  warm: z.int().min(0, 'expected 0 or more ready sessions').max(64, 'at most 64 ready sessions').default(DEFAULT_SESSION_SETTINGS.warm),
  max: z.int().min(1, 'expected at least 1 session').max(10_000, 'at most 10000 sessions').default(DEFAULT_SESSION_SETTINGS.max),
  idle_timeout: positiveDuration('sessions.idle_timeout', '15m').default(DEFAULT_SESSION_SETTINGS.idleTimeoutMs),
  max_age: positiveDuration('sessions.max_age', '24h').default(DEFAULT_SESSION_SETTINGS.maxAgeMs),
});

const backend = z.string().transform((value, ctx): BackendSettings => {
  try {
    return parseBackend(value);
  } catch (error) {
    const failure = error as CapsuleError;
    ctx.issues.push({code: 'custom', message: `${failure.message}; ${failure.hint}`, input: value});
    return z.NEVER;
  }
});

const schema = z
  .strictObject({
    backend: backend.optional(),
    node: z.string().optional(),
    node_lease: duration('node_lease')
      .refine((value) => value >= 1_000 && value <= 300_000, {message: 'node_lease must be from 1s to 5m, such as "5s"'})
      .default(DEFAULT_NODE_LEASE_MS),
    listen: address('0.0.0.0:7700').optional(),
    advertise: address('ops.example.com:7700').optional(),
    sessions: sessions.optional(),
  })
  .transform((value, ctx): DaemonFileConfig => {
    if (value.advertise !== undefined && value.listen === undefined) {
      ctx.issues.push({code: 'custom', message: 'advertise names where agents reach `listen`: add listen = "0.0.0.0:7700" (say), or remove advertise', path: ['advertise'], input: value.advertise});
      return z.NEVER;
    }
    const listen = value.listen ?? null;
    const advertise = value.advertise ?? (listen && {host: WILDCARDS.has(listen.host) ? hostname() : listen.host, port: listen.port});
    const problem = value.node === undefined ? null : nodeNameProblem(value.node);
    if (problem !== null) {
      ctx.issues.push({code: 'custom', message: `node ${problem}`, path: ['node'], input: value.node});
      return z.NEVER;
    }
    const {warm, max, idle_timeout: idleTimeoutMs, max_age: maxAgeMs} = value.sessions ?? sessions.parse({});
    return {listen, advertise, sessions: {warm, max, idleTimeoutMs, maxAgeMs}, cluster: {backend: value.backend ?? null, node: value.node ?? null, nodeLeaseMs: value.node_lease}};
  });

export function parseDaemonConfig(text: string, file: string): DaemonFileConfig {
  try {
    return parseConfigText(text, file, schema);
  } catch (error) {
    if (!(error instanceof CapsuleError) || error.code !== 'config_invalid') throw error;
    throw new CapsuleError('config_invalid', error.message, {hint: `fix ${file}, then start the daemon again; the README's "daemon.toml" section lists its keys`, details: error.details});
  }
}

/** Reads HOME/daemon.toml; no file: the defaults. */
export async function loadDaemonConfig(home: string): Promise<DaemonFileConfig> {
  const file = join(home, DAEMON_FILE_NAME);
  let text: string;
  try {
    const {size} = await stat(file);
    if (size > MAX_CONFIG_BYTES) throw new CapsuleError('config_invalid', `${file} is too large: expected at most ${MAX_CONFIG_BYTES} bytes, got ${size}`, {hint: 'daemon.toml holds a few settings'});
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') text = '';
    else throw error;
  }
  return parseDaemonConfig(text, file);
}
