import {homedir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {renderUnit, unitPath} from '../../src/lib/systemd-unit.js';

describe('unitPath', () => {
  it('puts a user unit under XDG_CONFIG_HOME when it is absolute, else ~/.config, and a system unit in /etc', () => {
    expect(unitPath('user', {XDG_CONFIG_HOME: '/x/conf'})).toBe('/x/conf/systemd/user/capsule.service');
    // The XDG spec: a relative value is invalid and ignored.
    expect(unitPath('user', {XDG_CONFIG_HOME: 'conf'})).toBe(join(homedir(), '.config/systemd/user/capsule.service'));
    expect(unitPath('user', {})).toBe(join(homedir(), '.config/systemd/user/capsule.service'));
    expect(unitPath('system', {XDG_CONFIG_HOME: '/x/conf'})).toBe('/etc/systemd/system/capsule.service');
  });
});

describe('renderUnit', () => {
  it('quotes each word so that systemd reads back exactly what was given', () => {
    const unit = renderUnit({scope: 'user', command: ['/opt/my node/bin/node', 'a"b', '100%', '$HOME'], environment: {CAPSULE_HOME: '/srv/ca$h 50%', NOTE: 'back\\slash'}});
    // A command expands $ and % specifiers; an Environment= value only % specifiers.
    expect(unit).toContain('ExecStart="/opt/my node/bin/node" "a\\"b" "100%%" "$$HOME"\n');
    expect(unit).toContain('Environment="CAPSULE_HOME=/srv/ca$h 50%%"\n');
    expect(unit).toContain('Environment="NOTE=back\\\\slash"\n');
  });

  it('gives a system unit its user, the network and multi-user.target', () => {
    const unit = renderUnit({scope: 'system', command: ['/usr/bin/node'], environment: {CAPSULE_HOME: '/root/.capsule'}, user: 'root'});
    expect(unit).toContain('User=root\n');
    expect(unit).toContain('After=network-online.target\n');
    expect(unit).toContain('WantedBy=multi-user.target\n');
    expect(unit).not.toContain('default.target');
  });
});
