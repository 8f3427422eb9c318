// A daemon killed with -9 under a process attempt: the worker does not run on without it, and
// the next daemon tries the run again once the old attempt is gone.
import {join} from 'node:path';
import {describe, it} from 'vitest';
import {TestHome, eachTestHome, waitFor} from '../helpers/cli.js';
import {expectRetriedAlone, killDaemonUnder, workerRunning} from './tasks-orphans.helpers.js';
import {SLOW, startWithProject} from './tasks-helpers.js';

let home: TestHome;
let dir: string;

eachTestHome(async (created) => {
  home = created;
  dir = await created.scratch('cap-orphans-');
});

describe('a process worker whose daemon is killed', SLOW, () => {
  it('ends at once, with its attempt', async () => {
    await startWithProject(home);
    const file = join(dir, 'waits');
    const {runId, worker} = await killDaemonUnder(home, file, false);
    await waitFor(async () => !(await workerRunning(worker)), {timeoutMs: 3_000, what: `worker ${worker.pid} to end with its daemon`});
    await expectRetriedAlone(home, file, runId, worker);
  });
});
