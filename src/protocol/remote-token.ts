/**
 * A remote service's agent token: everything the agent on another machine needs, in one string
 * an operator can paste. It names the daemon's address, the SHA-256 of the daemon's certificate
 * (which the agent pins: no CA is involved) and the service, and carries the secret the daemon
 * checks. No zod here: it is parsed inside every service that embeds the agent.
 */
import {CapsuleError} from '../lib/errors.js';

export const TOKEN_PREFIX = 'capsule1.';

export interface RemoteToken {
  address: {host: string; port: number};
  /** As X509Certificate.fingerprint256 gives it: "AB:CD:…", 32 pairs. */
  fingerprint: string;
  /** "namespace/name" */
  service: string;
  secret: string;
}

const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;
const SERVICE = /^[a-z0-9][a-z0-9_-]*\/[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function formatRemoteToken(token: RemoteToken): string {
  const body = {a: formatAddress(token.address), f: token.fingerprint, s: token.service, k: token.secret};
  return `${TOKEN_PREFIX}${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
}

export function formatAddress({host, port}: {host: string; port: number}): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** "host:port" or "[v6]:port"; null when it is not one. */
export function parseAddress(text: string): {host: string; port: number} | null {
  const match = /^(\[[^\]]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || !(port >= 1 && port <= 65535)) return null;
  return {host: match[1]!.replace(/^\[|\]$/g, ''), port};
}

export function parseRemoteToken(text: string): RemoteToken {
  const hint = "print it again with `capsule service token NS/NAME` on the daemon's machine, and pass it whole";
  const trimmed = text.trim();
  if (!trimmed.startsWith(TOKEN_PREFIX)) throw new CapsuleError('bad_input', `expected a remote service's token (starting "${TOKEN_PREFIX}"), got ${describe(trimmed)}`, {hint});
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(trimmed.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw new CapsuleError('bad_input', 'the remote token is damaged: its body does not decode (cut short, or changed)', {hint});
  }
  const {a, f, s, k} = (body ?? {}) as Record<string, unknown>;
  const address = typeof a === 'string' ? parseAddress(a) : null;
  const problem = address === null ? 'its address' : typeof f !== 'string' || !FINGERPRINT.test(f) ? "its daemon's certificate fingerprint" : typeof s !== 'string' || !SERVICE.test(s) ? 'its service' : typeof k !== 'string' || k.length < 16 ? 'its secret' : null;
  if (problem !== null) throw new CapsuleError('bad_input', `the remote token is damaged: ${problem} is missing or malformed`, {hint});
  return {address: address!, fingerprint: f as string, service: s as string, secret: k as string};
}

function describe(text: string): string {
  if (text.length === 0) return 'nothing';
  return text.length > 12 ? `"${text.slice(0, 12)}…"` : JSON.stringify(text);
}
