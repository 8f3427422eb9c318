/**
 * The cluster's backend and the daemon's node name, as daemon.toml and `daemon start --backend`
 * give them. Pure: checked here, connected to in daemon/cluster.
 */
import {hostname} from 'node:os';
import {CapsuleError} from '../lib/errors.js';

export interface BackendSettings {
  /** As given: what the Redis client connects with. */
  url: string;
  /** With its password replaced by `***`: what is shown, logged and told to other nodes. */
  display: string;
}

/** What `node` (and a host name used in its place) must look like; `@` is left out, it separates a service from its node. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const EXAMPLE = 'redis://127.0.0.1:6379/0';

/** Checks a backend URL (`what`: where it came from, to start the message with; daemon.toml's errors name their key themselves); throws bad_input saying what is wrong. */
export function parseBackend(value: string, what?: string): BackendSettings {
  const fail = (problem: string) => new CapsuleError('bad_input', `${what === undefined ? '' : `${what}: `}${problem}, got ${JSON.stringify(redact(value))}`, {hint: `expected a Redis URL such as "${EXAMPLE}" (rediss:// for TLS; a password as redis://:PASSWORD@host:6379/0)`});
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail('not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw fail(`expected redis:// or rediss://, not ${url.protocol}//`);
  if (url.hostname === '') throw fail('no host');
  if (url.search !== '' || url.hash !== '') throw fail('options after ? or # are not read');
  if (!/^(\/(\d{1,2})?)?$/.test(url.pathname)) throw fail(`the path is the database number (/0 to /99), not ${url.pathname}`);
  return {url: value, display: redact(value)};
}

function redact(value: string): string {
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = '***';
    return url.toString();
  } catch {
    // Not a URL: nothing in it reads as a password, but a user:pass@ part may still be there.
    return value.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** The reason `name` cannot name a node, or null if it can. */
export function nodeNameProblem(name: string): string | null {
  return NODE_NAME_PATTERN.test(name) ? null : `${JSON.stringify(name)} cannot name a node: expected letters, digits, ".", "_" or "-", at most 63, starting with a letter or digit`;
}

/** The host name as a node's name; throws bad_input, saying to set `node`, for one that cannot be (checked only with a backend: alone, nobody calls the daemon by it). */
export function hostNodeName(): string {
  const problem = nodeNameProblem(hostname());
  if (problem !== null) throw new CapsuleError('bad_input', `the host name ${problem}`, {hint: 'set node = "worker-a" (say) in daemon.toml'});
  return hostname();
}
