// Issue 4's figure: how late a fire starts its run. Two per-second schedules fire together for
// about 100 s; each fire's instant (from the audit trail) is joined to its run's record.
import {loadavg} from 'node:os';
import {setTimeout as sleep} from 'node:timers/promises';
import {BenchHome, percentile} from './harness.js';

const SCHEDULES = ['a', 'b'];
/** Fires per schedule that are measured, after the warm-up. */
const FIRES_EACH = 100;
/** The first fires start the worker pool: a cold start, not scheduling lateness. */
const WARM_UP_SECONDS = 3;
const TARGET_MS = 50;

const TASKS = `import {task} from 'capsule';
export const noop = task({name: 'noop'}, async () => ({ok: true}));
`;

export async function benchSchedules() {
  const bench = new BenchHome();
  try {
    const toml = SCHEDULES.map((name) => `[schedules.${name}]\ntask = "noop"\ncron = "* * * * * *"\n`).join('');
    bench.capsule('project', 'add', bench.project('bench', toml, {'tasks/t.ts': TASKS}));
    const from = Math.ceil(Date.now() / 1000) * 1000 + WARM_UP_SECONDS * 1000;
    const until = from + FIRES_EACH * 1000;
    // Idle while measuring: no CLI polls the daemon until the last measured fire has passed.
    const baseline = await timerLateness(from + 500, until);
    await sleep(until - Date.now() + 500);
    const load = loadavg()[0];
    for (const name of SCHEDULES) bench.capsule('schedule', 'pause', `bench/${name}`);
    await sleep(500);

    const {events} = JSON.parse(bench.capsule('audit', 'bench', '-n', '5000', '--json'));
    const {runs} = JSON.parse(bench.capsule('runs', 'bench/noop', '-n', '1000', '--json'));
    const byId = new Map(runs.map((run) => [run.id, run]));
    const fires = events.filter((event) => event.kind === 'schedule.fire' && !event.details.catchUp && event.details.fireTime >= from && event.details.fireTime < until);
    const skips = events.filter((event) => event.kind === 'schedule.skip' && event.details.fireTime >= from && event.details.fireTime < until);
    const started = [];
    const submitted = [];
    for (const fire of fires) {
      const run = byId.get(fire.details.runId);
      if (!run?.startedAt) continue;
      started.push(Date.parse(run.startedAt) - fire.details.fireTime);
      submitted.push(Date.parse(run.createdAt) - fire.details.fireTime);
    }
    if (started.length === 0) throw new Error(`no scheduled run started between ${new Date(from).toISOString()} and ${new Date(until).toISOString()}`);
    const expected = SCHEDULES.length * FIRES_EACH;
    const p50 = percentile(started, 50);
    const p99 = percentile(started, 99);
    return [
      {name: `fires measured (${SCHEDULES.length} × "* * * * * *")`, value: started.length, unit: `of ${expected}`, target: `${expected}`, pass: started.length === expected},
      {name: 'fires skipped (overlap)', value: skips.length, unit: 'fires', target: '0', pass: skips.length === 0},
      {name: 'fire → run submitted, p50', value: percentile(submitted, 50), unit: 'ms', target: null},
      {name: 'fire → run started, p50', value: p50, unit: 'ms', target: `≤ ${TARGET_MS} ms`, pass: p50 <= TARGET_MS},
      {name: 'fire → run started, p99', value: p99, unit: 'ms', target: `≤ ${TARGET_MS} ms`, pass: p99 <= TARGET_MS},
      {name: 'fire → run started, max', value: Math.max(...started), unit: 'ms', target: null},
      // The target holds for an idle machine; these say how idle it was.
      {name: 'bare setTimeout lateness meanwhile, p99', value: percentile(baseline, 99), unit: 'ms', target: null},
      {name: 'load average while measuring (1 min)', value: Math.round(load * 100) / 100, unit: '', target: null},
    ];
  } finally {
    bench.close();
  }
}

/**
 * How late a plain timer in this (otherwise idle) process wakes, once a second between the
 * fires: what the machine alone costs, to read the figures above against.
 */
async function timerLateness(from, until) {
  const late = [];
  for (let target = from; target < until; target += 1000) {
    await sleep(Math.max(0, target - Date.now()));
    late.push(Date.now() - target);
  }
  return late;
}
