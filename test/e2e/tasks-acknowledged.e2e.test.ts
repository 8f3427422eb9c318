// A daemon killed with -9 right after the CLI got its answers: every submit acknowledged, and every
// outcome an attached `capsule run` or a client printed, is there when the next daemon starts. A
// kill cannot lose the kernel's unwritten pages as a power loss can: this guards the order of write
// and reply across the real CLI, client and daemon; test/daemon/runner/run-journal.test.ts guards
// the fdatasync before the reply.
import {describe, expect, it} from 'vitest';
import {connect} from '../../src/client/public.js';
import type {RunRecord} from '../../src/protocol/index.js';
import {TestHome, eachTestHome, isAlive, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import {SLOW, startWithProject} from './tasks-helpers.js';

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

const ROUNDS = 3;
/** Runs a client keeps submitting, this many at a time, while the CLI commands go on. */
const IN_FLIGHT = 4;
/** Bounds a round's runs, so they stay within the history kept and `runs --limit`. */
const MAX_CLIENT_RUNS = 400;
/** A command cut off by the kill fails (exit 3) rather than start a daemon of its own. */
const NO_AUTOSTART = {env: {CAPSULE_NO_AUTOSTART: '1'}};

describe('acknowledged runs across kill -9', SLOW, () => {
  it('keeps every acknowledged submit and every reported outcome when the daemon dies right after them', async () => {
    // One small module: each restart loads it again.
    const project = await makeProject({'capsule.toml': projectToml('acks'), 'tasks/quick.ts': "import {task} from 'capsule';\nexport const quick = task((input: {n: number}) => input);\n"}, await home.scratch('acks-'));
    await startWithProject(home, {}, project);
    for (let round = 0; round < ROUNDS; round++) {
      const submitted = new Set<string>();
      const succeeded = new Set<string>();
      const pid = (await home.daemonPid())!;
      const client = await connect({home: home.home, autostart: false});
      let killed = false;
      let made = 0;
      // Submits and waits for results until the kill cuts it off: answers arrive right up to it.
      const pump = async () => {
        while (!killed && made < MAX_CLIENT_RUNS) {
          made++;
          try {
            const handle = await client.submit('acks/quick', {n: made});
            submitted.add(handle.id);
            const run = await handle.wait();
            expect(run.status).toBe('succeeded');
            succeeded.add(run.id);
          } catch (error) {
            if (!killed) throw error;
          }
        }
      };
      const pumps = Array.from({length: IN_FLIGHT}, pump);
      const [detached, attached] = await Promise.all([
        home.run(['run', 'acks/quick', '--detach', '--input', '{"n":0}'], NO_AUTOSTART),
        home.run(['run', 'acks/quick', '--json', '--input', '{"n":0}'], NO_AUTOSTART),
      ]);
      process.kill(pid, 'SIGKILL');
      killed = true;
      expect(detached.code, detached.stderr).toBe(0);
      expect(attached.code, attached.stderr).toBe(0);
      submitted.add(detached.stdout.trim());
      const printed = JSON.parse(attached.stdout) as RunRecord;
      expect(printed.status).toBe('succeeded');
      succeeded.add(printed.id);
      await Promise.all(pumps);
      client.close();

      await waitFor(() => !isAlive(pid), {what: 'the daemon to die'});
      const start = await home.run(['daemon', 'start']);
      expect(start.code, start.stderr).toBe(0);
      const onDisk = new Map((await home.json<{runs: RunRecord[]}>(['runs', '--limit', '1000'])).runs.map((run) => [run.id, run.status]));
      expect([...submitted].filter((id) => !onDisk.has(id)), `round ${round + 1}: acknowledged submits lost`).toEqual([]);
      expect([...succeeded].filter((id) => onDisk.get(id) !== 'succeeded'), `round ${round + 1}: reported outcomes lost`).toEqual([]);
    }
  });
});
