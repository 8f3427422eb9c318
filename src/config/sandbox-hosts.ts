import {isIPv4, isIPv6} from 'node:net';
import {refused, type Checked, type Refusal, type Rule} from './task-limits.js';

/**
 * `allowedHosts` (`[defaults] allowed_hosts`): which hosts a sandboxed task's HTTP requests may
 * reach through the daemon's proxy. An entry names a host, never a URL: the proxy checks the host
 * (and the port, when one is given) of each request, so a scheme or path would promise a check
 * that nobody makes.
 */

const HOST_EXPECTED = 'a host such as "api.example.com", "*.example.org", "127.0.0.1:8080", "[::1]:8080" or "api.example.com:443"';
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** RFC 1035's bound on a whole name. */
const MAX_HOST_LENGTH = 253;

export const allowedHostsRule: Rule<string[]> = (value) => {
  if (!Array.isArray(value)) return refused(`a list of hosts, each ${HOST_EXPECTED}`, value);
  const hosts: string[] = [];
  for (const [index, entry] of value.entries()) {
    const checked = hostRule(entry);
    if (!checked.ok) return {...checked, key: index};
    hosts.push(checked.value);
  }
  return {ok: true, value: hosts};
};

/** One entry, lower-cased (host names are case-insensitive, and the proxy compares them as text). */
export const hostRule: Rule<string> = (value) => {
  if (typeof value !== 'string') return refused(HOST_EXPECTED, value);
  const scheme = SCHEME.exec(value);
  if (scheme) return refused(`${HOST_EXPECTED}, without a scheme`, value, stripUrl(value.slice(scheme[0].length)));
  if (/[/?#@]/.test(value)) return refused(`${HOST_EXPECTED}, without a path or user`, value, stripUrl(value));
  const text = value.toLowerCase();
  const split = splitPort(text, value);
  if (!split.ok) return split;
  const {host, port} = split.value;
  if (port !== null && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535)) {
    return refused('a port from 1 to 65535 after the host', value);
  }
  const problem = hostProblem(host, value);
  if (problem) return problem;
  return {ok: true, value: text};
};

function splitPort(text: string, written: string): Checked<{host: string; port: string | null}> {
  if (text.startsWith('[')) {
    const match = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
    if (!match || !isIPv6(match[1]!)) return refused('an IPv6 address in brackets, such as "[::1]:8080"', written);
    return {ok: true, value: {host: match[1]!, port: match[2] ?? null}};
  }
  const colons = text.split(':').length - 1;
  // A bare IPv6 address cannot carry a port: its last group would read as one.
  if (colons > 1) return refused('an IPv6 address in brackets, such as "[::1]:8080"', written, isIPv6(text) ? `[${text}]` : undefined);
  const colon = text.indexOf(':');
  return {ok: true, value: colon === -1 ? {host: text, port: null} : {host: text.slice(0, colon), port: text.slice(colon + 1)}};
}

function hostProblem(host: string, written: string): Refusal | null {
  if (isIPv4(host) || isIPv6(host)) return null;
  if (host === '*' || host === '*.') return refused('a wildcard over a domain, such as "*.example.org": "*" alone would allow every host', written);
  const name = host.startsWith('*.') ? host.slice(2) : host;
  if (host.startsWith('*.') && !name.includes('.')) return refused('a wildcard over a domain of two labels or more, such as "*.example.org"', written);
  const labels = name.split('.');
  if (name.length === 0 || name.length > MAX_HOST_LENGTH || !labels.every((label) => LABEL.test(label))) {
    return refused(name.includes('*') ? `${HOST_EXPECTED} ("*." only at the start)` : HOST_EXPECTED, written);
  }
  // No top-level domain is all digits: "10.0.0.256" or "127.000.000.001" is a mistyped address, not a name.
  if (/^\d+$/.test(labels.at(-1)!)) return refused('an IPv4 address of four numbers from 0 to 255, without leading zeros, such as "127.0.0.1:8080"', written);
  return null;
}

/** "https://api.example.com:443/v1?q" → "api.example.com:443": what the user most likely meant to allow. */
function stripUrl(rest: string): string | undefined {
  const authority = rest.split(/[/?#]/, 1)[0]!;
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host === '' ? undefined : host;
}
