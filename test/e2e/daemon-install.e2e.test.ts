import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {ROOT, TestHome, eachTestHome} from '../helpers/cli.js';

let home: TestHome;
let config: string;

eachTestHome(async (created) => {
  home = created;
  config = await home.scratch('xdg-');
});

/**
 * A machine that runs systemd, as far as the CLI can tell: a user and mount namespace of its own
 * with /run/systemd/system present (the real systemctl stays on PATH). Nothing outside the
 * namespace sees the mount, and no systemd is needed on the machine the tests run on.
 */
const WITH_SYSTEMD = ['unshare', '--user', '--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && exec "$0" "$@"'];
/** The same, as a user other than root (a nested user namespace maps nobody). */
const WITH_SYSTEMD_NOT_ROOT = [...WITH_SYSTEMD.slice(0, -1), `${WITH_SYSTEMD.at(-1)!.replace('exec "$0"', 'exec unshare --user "$0"')}`];
const canFakeSystemd = spawnSync(WITH_SYSTEMD[0]!, [...WITH_SYSTEMD.slice(1), 'true']).status === 0 && spawnSync('sh', ['-c', 'command -v systemctl']).status === 0;
const hasAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0;

interface Installed {
  scope: string;
  path: string;
  outcome: string;
  noSystemd: string | null;
  unit: string;
  next: string[];
}

const install = (args: string[] = [], wrap = WITH_SYSTEMD) => home.run(['daemon', 'install', ...args], {env: {XDG_CONFIG_HOME: config}, wrap});
const unitFile = () => join(config, 'systemd', 'user', 'capsule.service');

describe.skipIf(!canFakeSystemd)('capsule daemon install, with systemd', () => {
  beforeEach(() => {
    expect(existsSync(unitFile())).toBe(false);
  });

  it('writes a valid user unit naming this node, this daemon and CAPSULE_HOME; uninstall removes it', async () => {
    const first = await install(['--json']);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as Installed;
    expect(result).toMatchObject({scope: 'user', path: unitFile(), outcome: 'written', noSystemd: null});
    expect(result.next).toEqual(['systemctl --user enable --now capsule.service', expect.stringMatching(/^loginctl enable-linger \S+$/)]);

    const unit = await readFile(unitFile(), 'utf8');
    expect(unit).toBe(result.unit);
    expect(unit).toContain(`ExecStart="${process.execPath}" "--max-semi-space-size=4" "${join(ROOT, 'dist', 'daemon.js')}" "--foreground"\n`);
    expect(unit).toContain(`Environment="CAPSULE_HOME=${home.home}"\n`);
    expect(unit).toContain('KillMode=process\n');
    expect(unit).toContain('WantedBy=default.target\n');
    if (hasAnalyze) {
      // The user manager's verify needs a running user session; the unit's syntax is the same.
      const verify = spawnSync('systemd-analyze', ['verify', unitFile()], {encoding: 'utf8'});
      expect({status: verify.status, stderr: verify.stderr}).toEqual({status: 0, stderr: ''});
    }

    const text = await install();
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${unitFile()} already holds this unit; nothing changed`);
    expect(text.stdout).toContain('systemctl --user enable --now capsule.service');

    const removed = await home.run(['daemon', 'uninstall'], {env: {XDG_CONFIG_HOME: config}});
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`removed ${unitFile()}`);
    expect(removed.stdout).toContain('systemctl --user daemon-reload');
    expect(existsSync(unitFile())).toBe(false);

    const again = await home.run(['daemon', 'uninstall'], {env: {XDG_CONFIG_HOME: config}});
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no capsule unit at ${unitFile()}; nothing to remove`);
  });

  it('refuses to replace a different unit without --force, naming the file', async () => {
    expect((await install()).code).toBe(0);
    await writeFile(unitFile(), '[Service]\nExecStart=/bin/true\n');
    const refused = await install();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${unitFile()} already exists and is not the unit this install writes`);
    expect(refused.stderr).toContain('--force');
    expect(await readFile(unitFile(), 'utf8')).toBe('[Service]\nExecStart=/bin/true\n');

    const forced = await install(['--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('systemctl --user daemon-reload');
    expect(await readFile(unitFile(), 'utf8')).toContain(`Environment="CAPSULE_HOME=${home.home}"`);
  });

  it('says so and prints the unit when systemd is not the running init', async () => {
    const printed = await install([], [...WITH_SYSTEMD.slice(0, -1), WITH_SYSTEMD.at(-1)!.replace(' && mkdir -p /run/systemd/system', '')]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stderr).toContain('systemd is not running here (/run/systemd/system does not exist)');
    expect(printed.stdout).toContain(`Environment="CAPSULE_HOME=${home.home}"\n`);
    expect(existsSync(unitFile())).toBe(false);
  });

  it('refuses --system unless root, saying how', async () => {
    const refused = await install(['--system'], WITH_SYSTEMD_NOT_ROOT);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--system writes /etc/systemd/system/capsule.service, which only root may do');
  });
});

describe('capsule daemon install, without systemd', () => {
  it('says so and prints the unit instead of writing it when systemctl is not on PATH', async () => {
    const empty = await home.scratch('path-');
    const printed = await home.run(['daemon', 'install'], {env: {XDG_CONFIG_HOME: config, PATH: empty}});
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stderr).toContain(`systemctl is not on PATH: not writing ${unitFile()}`);
    expect(printed.stdout).toMatch(/^# Written by `capsule daemon install`/);
    expect(printed.stdout).toContain(`Environment="CAPSULE_HOME=${home.home}"\n`);
    expect(printed.stdout).toContain(`Environment="PATH=${empty}"\n`);
    expect(existsSync(unitFile())).toBe(false);
    if (hasAnalyze) {
      const copy = join(config, 'capsule.service');
      await writeFile(copy, printed.stdout);
      const verify = spawnSync('systemd-analyze', ['verify', copy], {encoding: 'utf8'});
      expect({status: verify.status, stderr: verify.stderr}).toEqual({status: 0, stderr: ''});
    }
  });
});
