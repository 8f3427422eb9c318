/**
 * The `allowedHosts` rule: which request targets a sandboxed task may reach through the egress
 * proxy. Pure, so the config rules can check an entry with the very parser the proxy matches with.
 *
 * - `api.example.com`: that host, any port (case and a trailing dot ignored)
 * - `*.example.org`: any subdomain, at any depth, but not example.org itself
 * - `127.0.0.1:8080`, `api.example.com:443`, `[::1]:8080`: that port only
 */

export interface HostPattern {
  /** The canonical host name (lower case, no trailing dot, IPv6 without brackets), or the suffix after `*.`. */
  host: string;
  wildcard: boolean;
  /** null: any port. */
  port: number | null;
}

/** The entry as a pattern, or null when it is not one of the forms above. */
export function parseHostPattern(entry: string): HostPattern | null {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  if (match === null) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65_535)) return null;
  let name = match[1] ?? '';
  const wildcard = name.startsWith('*.');
  if (wildcard) name = name.slice(2);
  const host = canonicalHost(name);
  if (host === null || host.includes('*')) return null;
  return {host, wildcard, port};
}

/** Whether a request to host:port matches one of the patterns; entries that are not patterns match nothing. */
export function hostAllowed(patterns: readonly string[], host: string, port: number): boolean {
  const target = canonicalHost(host);
  if (target === null) return false;
  return patterns.some((entry) => {
    const pattern = parseHostPattern(entry);
    if (pattern === null || (pattern.port !== null && pattern.port !== port)) return false;
    return pattern.wildcard ? target.endsWith(`.${pattern.host}`) : target === pattern.host;
  });
}

/** The narrowest `allowedHosts` entry that lets a request to host:port through: the host alone on its scheme's usual port. */
export function allowEntryFor(host: string, port: number, protocol: 'http:' | 'https:'): string {
  const name = bracketed(canonicalHost(host) ?? host);
  return port === (protocol === 'https:' ? 443 : 80) ? name : `${name}:${port}`;
}

/** "name:port" as reported and refused, an IPv6 address in brackets so the port stays readable. */
export function hostPort(host: string, port: unknown): string {
  return `${bracketed(host)}:${String(port ?? '')}`;
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** What the WHATWG URL parser makes of a host (IDNA, IPv4 and IPv6 forms, case), without brackets or a trailing dot. */
function canonicalHost(host: string): string | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === '') return null;
  try {
    const hostname = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`).hostname;
    const canonical = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    return canonical.endsWith('.') ? canonical.slice(0, -1) : canonical;
  } catch {
    return null;
  }
}
