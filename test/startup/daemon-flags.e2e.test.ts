// Both ways of starting the daemon give it DAEMON_NODE_FLAGS (src/startup/v8-flags.ts); what the
// flags do is v8-flags.test.ts's, and that task threads escape the cap is tasks-isolation's.
import {readFile} from 'node:fs/promises';
import {describe, expect, it} from 'vitest';
import {DAEMON_NODE_FLAGS} from '../../src/startup/v8-flags.js';
import {TestHome, eachTestHome, waitFor} from '../helpers/cli.js';

let home: TestHome;
eachTestHome((created) => {
  home = created;
});

async function daemonArgv(): Promise<string[]> {
  const pid = await waitFor(() => home.daemonPid(), {what: 'the daemon to write its pid'});
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').slice(0, -1);
}

describe.skipIf(process.platform !== 'linux')('the daemon process', () => {
  it('is started with the flags in the background', async () => {
    const started = await home.run(['daemon', 'start']);
    expect(started.code, started.stderr).toBe(0);
    const argv = await daemonArgv();
    expect(argv.slice(1, 1 + DAEMON_NODE_FLAGS.length)).toEqual(DAEMON_NODE_FLAGS);
    expect(argv[1 + DAEMON_NODE_FLAGS.length]).toMatch(/dist[\\/]daemon\.js$/);
  });

  it('is started with the flags in the foreground', async () => {
    home.spawn(['daemon', 'start', '--foreground']);
    const argv = await daemonArgv();
    expect(argv.slice(1, 1 + DAEMON_NODE_FLAGS.length)).toEqual(DAEMON_NODE_FLAGS);
    expect(argv.at(-1)).toBe('--foreground');
  });
});
