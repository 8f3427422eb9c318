import {spawn, type ChildProcess} from 'node:child_process';
import {afterEach, describe, expect, it} from 'vitest';
import {GroupEndWatch, signalGroup} from '../../../daemon/supervisor/process-group.js';
import {listProcesses} from '../../../daemon/worker/procfs.js';

const GROUPS = 40;
let leaders: ChildProcess[] = [];

afterEach(() => {
  for (const leader of leaders) signalGroup(leader.pid!, 'SIGKILL');
  leaders = [];
});

describe('GroupEndWatch', () => {
  it('answers every group stopping at once from shared passes over /proc, not a pass per group', async () => {
    leaders = Array.from({length: GROUPS}, () => spawn('sleep', ['60'], {detached: true, stdio: 'ignore'}));
    await Promise.all(leaders.map((leader) => new Promise((resolve) => leader.once('spawn', resolve))));
    let passes = 0;
    const watch = new GroupEndWatch(() => {
      passes++;
      return listProcesses();
    });
    for (const leader of leaders) signalGroup(leader.pid!, 'SIGTERM');
    const ended = await Promise.all(leaders.map((leader) => watch.wait(leader.pid!, 10_000)));
    expect(ended).toEqual(leaders.map(() => true));
    // A pass per tick while any group lives, whatever the number of groups: with a pass per
    // group per tick there were at least GROUPS.
    expect(passes).toBeLessThan(GROUPS);
  });

  it('says false for a group still alive at the deadline', async () => {
    const leader = spawn('sleep', ['60'], {detached: true, stdio: 'ignore'});
    leaders = [leader];
    await new Promise((resolve) => leader.once('spawn', resolve));
    expect(await new GroupEndWatch().wait(leader.pid!, 200)).toBe(false);
  });
});
