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
import {MAX_CONFIG_BYTES} from './bounds.js';
import {parseConfigText} from './parse.js';

export const DAEMON_FILE_NAME = 'daemon.toml';

export interface HostPort {
  host: string;
  port: number;
}

export interface DaemonFileConfig {
  /** Where remote agents connect (TLS). null: no TCP port is opened. */
  listen: HostPort | null;
  /** The address written into agent tokens: `advertise`, else `listen` with a wildcard host replaced by the host name. null without `listen`. */
  advertise: HostPort | null;
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

const schema = z
  .strictObject({
    listen: address('0.0.0.0:7700').optional(),
    advertise: address('ops.example.com:7700').optional(),
  })
  .transform((value, ctx): DaemonFileConfig => {
    if (value.advertise !== undefined && value.listen === undefined) {
      ctx.issues.push({code: 'custom', message: 'advertise names where agents reach `listen`: add listen = "0.0.0.0:7700" (say), or remove advertise', path: ['advertise'], input: value.advertise});
      return z.NEVER;
    }
    const listen = value.listen ?? null;
    const advertise = value.advertise ?? (listen && {host: WILDCARDS.has(listen.host) ? hostname() : listen.host, port: listen.port});
    return {listen, advertise};
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
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {listen: null, advertise: null};
    throw error;
  }
  return parseDaemonConfig(text, file);
}
