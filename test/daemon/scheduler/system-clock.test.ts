import {afterEach, expect, it, vi} from 'vitest';
import {systemClock} from '../../../daemon/core/clock.js';
import {Scheduler} from '../../../daemon/scheduler/scheduler.js';
import {MemoryStore, schedule} from './harness.js';

let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.close();
});

it('fires a per-second schedule on the real clock, never before its instant', async () => {
  const runs: Array<{fireTime: number; submittedAt: number}> = [];
  scheduler = new Scheduler({
    clock: systemClock,
    submit: async (_namespace, _task, _input, meta) => {
      runs.push({fireTime: meta.fireTime, submittedAt: Date.now()});
      return {runId: `run_${runs.length}`, existed: false};
    },
    runStatus: () => 'done',
    store: new MemoryStore(),
  });
  scheduler.setProjectSchedules('ops', {tick: schedule({cron: '* * * * * *'})});
  await scheduler.start();
  await vi.waitFor(() => expect(runs.length).toBeGreaterThanOrEqual(3), {timeout: 10_000, interval: 100});
  await scheduler.close();
  const fireTimes = runs.map((run) => run.fireTime);
  expect(fireTimes.every((fireTime, index) => fireTime % 1000 === 0 && (index === 0 || fireTime > fireTimes[index - 1]!))).toBe(true);
  expect(runs.every((run) => run.submittedAt >= run.fireTime)).toBe(true);
});
