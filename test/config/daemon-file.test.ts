import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {hostname, tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadDaemonConfig, parseDaemonConfig} from '../../src/config/daemon-file.js';

const parse = (text: string) => parseDaemonConfig(text, '/h/daemon.toml');
const failure = (text: string): string => {
  try {
    parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
};

describe('daemon.toml', () => {
  it('is the defaults when missing or empty: no port at all', async () => {
    const home = await mkdtemp(join(tmpdir(), 'capsule-daemon-file-'));
    try {
      expect(await loadDaemonConfig(home)).toEqual({listen: null, advertise: null});
      await writeFile(join(home, 'daemon.toml'), 'listen = "127.0.0.1:7700"\n');
      expect(await loadDaemonConfig(home)).toEqual({listen: {host: '127.0.0.1', port: 7700}, advertise: {host: '127.0.0.1', port: 7700}});
    } finally {
      await rm(home, {recursive: true, force: true});
    }
    expect(parse('')).toEqual({listen: null, advertise: null});
  });

  it('advertises the host name for a wildcard listen, or what it is told', () => {
    expect(parse('listen = "0.0.0.0:7700"')).toEqual({listen: {host: '0.0.0.0', port: 7700}, advertise: {host: hostname(), port: 7700}});
    expect(parse('listen = "[::]:7700"').advertise).toEqual({host: hostname(), port: 7700});
    expect(parse('listen = "0.0.0.0:7700"\nadvertise = "ops.example.com:443"').advertise).toEqual({host: 'ops.example.com', port: 443});
  });

  it('refuses a bad address, a misspelt key and advertise without listen, each at its line and column', () => {
    expect(failure('\nlisten = "0.0.0.0:99999"')).toContain('daemon.toml:2:1 listen: expected "host:port" with a port from 1 to 65535');
    expect(failure('lisen = "0.0.0.0:7700"')).toMatch(/daemon\.toml:1:1 .*lisen.*did you mean "listen"\?/);
    expect(failure('advertise = "a:1"')).toContain('advertise names where agents reach `listen`');
    expect(failure('listen = 7700')).toContain('daemon.toml:1:1 listen');
  });
});
