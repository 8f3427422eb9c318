import {describe, expect, it} from 'vitest';
import {hostAllowed, parseHostPattern} from '../../daemon/sandbox/host-patterns.js';
import {hostRule} from '../../src/config/sandbox-hosts.js';

// The config rule refuses with messages of its own, but what it takes the proxy must read as the
// same pattern: an entry the config accepted and the proxy ignored would deny what was declared.

describe('allowedHosts: what the config takes, the egress proxy matches', () => {
  it.each<[entry: string, matches: [host: string, port: number], misses: [host: string, port: number]]>([
    ['api.example.com', ['api.example.com', 443], ['example.com', 443]],
    ['API.Example.com', ['api.example.com', 80], ['api.example.org', 80]],
    ['*.example.org', ['a.b.example.org', 443], ['example.org', 443]],
    ['127.0.0.1:8080', ['127.0.0.1', 8080], ['127.0.0.1', 8081]],
    ['[::1]:8080', ['::1', 8080], ['::1', 80]],
    ['[::1]', ['::1', 9], ['::2', 9]],
    ['api.example.com:443', ['api.example.com', 443], ['api.example.com', 80]],
    ['xn--bcher-kva.example', ['xn--bcher-kva.example', 443], ['bucher.example', 443]],
  ])('%s', (entry, [host, port], [otherHost, otherPort]) => {
    const checked = hostRule(entry);
    expect(checked.ok).toBe(true);
    const taken = (checked as {value: string}).value;
    expect(parseHostPattern(taken)).not.toBeNull();
    expect(hostAllowed([taken], host, port)).toBe(true);
    expect(hostAllowed([taken], otherHost, otherPort)).toBe(false);
  });
});
