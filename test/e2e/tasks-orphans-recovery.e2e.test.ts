// A daemon killed with -9 under a process attempt whose worker cannot notice (its event loop is
// blocked): the next daemon ends it, from the pid and start time in the run's journal, before
// it tries the run again. Three rounds, so an overlap that shows only sometimes shows.
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {TestHome, eachTestHome} from '../helpers/cli.js';
import {expectRetriedAlone, killDaemonUnder, workerRunning} from './tasks-orphans.helpers.js';
import {SLOW, startWithProject} from './tasks-helpers.js';

let home: TestHome;
let dir: string;

eachTestHome(async (created) => {
  home = created;
  dir = await created.scratch('cap-orphans-');
});

describe('a process worker whose daemon is killed while its event loop is blocked', SLOW, () => {
  it('is ended by the next daemon before the run is tried again, never alive beside the retry', async () => {
    await startWithProject(home);
    for (let round = 1; round <= 3; round++) {
      const file = join(dir, `blocked-${round}`);
      const {runId, worker} = await killDaemonUnder(home, file, true);
      // Still running: what ends it is the next daemon's recovery, not the worker itself.
      expect(await workerRunning(worker)).toBe(true);
      await expectRetriedAlone(home, file, runId, worker);
    }
  });
});
