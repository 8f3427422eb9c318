import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {hostname, tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {DEFAULT_NODE_LEASE_MS, DEFAULT_SESSION_SETTINGS, loadDaemonConfig, parseDaemonConfig} from '../../src/config/daemon-file.js';

const parse = (text: string) => parseDaemonConfig(text, '/h/daemon.toml');
const failure = (text: string): string => {
  try {
    parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
};

const ALONE = {backend: null, node: null, nodeLeaseMs: DEFAULT_NODE_LEASE_MS};

describe('daemon.toml', () => {
  it('is the defaults when missing or empty: no port at all', async () => {
    const home = await mkdtemp(join(tmpdir(), 'capsule-daemon-file-'));
    try {
      expect(await loadDaemonConfig(home)).toEqual({listen: null, advertise: null, sessions: DEFAULT_SESSION_SETTINGS, cluster: ALONE});
      await writeFile(join(home, 'daemon.toml'), 'listen = "127.0.0.1:7700"\n');
      expect(await loadDaemonConfig(home)).toEqual({listen: {host: '127.0.0.1', port: 7700}, advertise: {host: '127.0.0.1', port: 7700}, sessions: DEFAULT_SESSION_SETTINGS, cluster: ALONE});
    } finally {
      await rm(home, {recursive: true, force: true});
    }
    expect(parse('')).toEqual({listen: null, advertise: null, sessions: DEFAULT_SESSION_SETTINGS, cluster: ALONE});
    expect(DEFAULT_SESSION_SETTINGS).toEqual({warm: 2, max: 128, idleTimeoutMs: 900_000, maxAgeMs: 86_400_000});
  });

  it('advertises the host name for a wildcard listen, or what it is told', () => {
    expect(parse('listen = "0.0.0.0:7700"')).toMatchObject({listen: {host: '0.0.0.0', port: 7700}, advertise: {host: hostname(), port: 7700}});
    expect(parse('listen = "[::]:7700"').advertise).toEqual({host: hostname(), port: 7700});
    expect(parse('listen = "0.0.0.0:7700"\nadvertise = "ops.example.com:443"').advertise).toEqual({host: 'ops.example.com', port: 443});
  });

  it('sets the code sessions\' pool, cap and default limits in [sessions], each key optional', () => {
    expect(parse('[sessions]\nwarm = 0\nmax = 4\nidle_timeout = "90s"\nmax_age = "2h"').sessions).toEqual({warm: 0, max: 4, idleTimeoutMs: 90_000, maxAgeMs: 7_200_000});
    expect(parse('[sessions]\nmax = 4').sessions).toEqual({...DEFAULT_SESSION_SETTINGS, max: 4});
    expect(failure('[sessions]\nmax = 0')).toContain('daemon.toml:2:1 sessions.max: expected at least 1 session');
    expect(failure('[sessions]\n\nwarm = 1.5')).toContain('daemon.toml:3:1 sessions.warm');
    expect(failure('[sessions]\nidle_timeout = "soon"')).toContain('daemon.toml:2:1 sessions.idle_timeout');
    expect(failure('[sessions]\nmax_age = "0s"')).toContain('sessions.max_age must be above zero, such as "24h"');
    expect(failure('[sessions]\nwarn = 1')).toMatch(/daemon\.toml:2:1 .*warn.*did you mean "warm"\?/);
  });

  it('refuses a bad address, a misspelt key and advertise without listen, each at its line and column', () => {
    expect(failure('\nlisten = "0.0.0.0:99999"')).toContain('daemon.toml:2:1 listen: expected "host:port" with a port from 1 to 65535');
    expect(failure('lisen = "0.0.0.0:7700"')).toMatch(/daemon\.toml:1:1 .*lisen.*did you mean "listen"\?/);
    expect(failure('advertise = "a:1"')).toContain('advertise names where agents reach `listen`');
    expect(failure('listen = 7700')).toContain('daemon.toml:1:1 listen');
  });

  it('names a Redis backend, this node and its lease; the password never shows', () => {
    expect(parse('backend = "redis://127.0.0.1:6390/2"\nnode = "worker-a"\nnode_lease = "3s"').cluster).toEqual({
      backend: {url: 'redis://127.0.0.1:6390/2', display: 'redis://127.0.0.1:6390/2'},
      node: 'worker-a',
      nodeLeaseMs: 3_000,
    });
    expect(parse('backend = "rediss://:s3cret@cache.example.com"').cluster.backend).toEqual({url: 'rediss://:s3cret@cache.example.com', display: 'rediss://:***@cache.example.com'});
    expect(parse('node = "worker-b"').cluster).toEqual({...ALONE, node: 'worker-b'});
  });

  it('refuses a backend that is not a Redis URL, a node name with an @ and a lease out of range, at their lines', () => {
    expect(failure('\nbackend = "http://127.0.0.1:6379"')).toContain('daemon.toml:2:1 backend: expected redis:// or rediss://, not http://');
    expect(failure('backend = "redis://127.0.0.1:6379/queue"')).toContain('the path is the database number');
    expect(failure('backend = "redis://127.0.0.1:6379/0?family=6"')).toContain('options after ? or # are not read');
    const leaked = failure('backend = "ftp://:hunter2@host"');
    expect(leaked).toContain('ftp://:***@host');
    expect(leaked).not.toContain('hunter2');
    expect(failure('node = "api@a"')).toContain('daemon.toml:1:1 node: node "api@a" cannot name a node');
    expect(failure('node_lease = "100ms"')).toContain('node_lease must be from 1s to 5m');
  });
});
