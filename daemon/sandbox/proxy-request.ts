/** What the egress proxy makes of a request from the sandbox: its target, and the headers it passes on either way. */

/** Headers that describe one connection, not the request (RFC 9110 §7.6.1), never forwarded either way. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

export interface Target {
  url: URL;
  hostname: string;
  port: number;
  protocol: 'http:' | 'https:';
}

/** The target of an absolute-form request, or what the sandbox sent instead. */
export function parseTarget(requestTarget: string): Target | string {
  if (requestTarget.startsWith('/') || requestTarget === '*') return 'origin-form target';
  let url: URL;
  try {
    url = new URL(requestTarget);
  } catch {
    return 'unparsable target';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme ${url.protocol}`;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return {url, hostname, port, protocol: url.protocol};
}

/** Raw header pairs without the hop-by-hop ones, nor those the Connection header names. */
export function forwardedHeaders(raw: readonly string[]): Record<string, string | string[]> {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === 'connection') for (const token of (raw[i + 1] ?? '').split(',')) named.add(token.trim().toLowerCase());
  }
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    const value = raw[i + 1] ?? '';
    if (HOP_BY_HOP.has(name) || named.has(name)) continue;
    const previous = headers[name];
    headers[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return headers;
}
