import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {RunIndex, type RunSelection} from '../../../daemon/runner/run-index.js';
import {cancelRun, failAttempt, newRun, NO_USAGE, startAttempt, succeedRun, wakeRun} from '../../../daemon/runner/run-state.js';
import {RunStore} from '../../../daemon/runner/run-store.js';
import {RUN_STATUSES, type RunRecord, type RunStatus} from '../../../src/protocol/index.js';
import {FakeClock} from '../core/fake-clock.js';
import {createHarness, spec, stopAllHarnesses} from './runner-harness.js';

/** mulberry32: the same sequence on every machine, so a failing seed reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const NAMESPACES = ['a', 'b'];
const TASKS = ['x', 'y', 'z'];

/** Every selection a listing can make over these namespaces and tasks, including a task without its namespace. */
function selections(): RunSelection[] {
  const all: RunSelection[] = [];
  for (const namespace of [undefined, ...NAMESPACES]) {
    for (const task of [undefined, ...TASKS]) {
      for (const status of [undefined, ...RUN_STATUSES]) all.push({namespace, task, status});
    }
  }
  return all;
}

/** What the listing answered before the index: every run, newest first, filtered one by one. */
function linear(runs: Iterable<RunRecord>, {namespace, task, status}: RunSelection, limit: number): RunRecord[] {
  return [...runs]
    .reverse()
    .filter((run) => (namespace === undefined || run.namespace === namespace) && (task === undefined || run.task === task) && (status === undefined || run.status === status))
    .slice(0, limit);
}

function expectSameAsLinear(store: RunStore, context: string): void {
  for (const selection of selections()) {
    for (const limit of [1, 3, 1000]) {
      expect(store.list(selection, limit).map((run) => run.id), `${context}: ${JSON.stringify(selection)} limit ${limit}`).toEqual(linear(store.runs(), selection, limit).map((run) => run.id));
    }
  }
}

let dir: string;
let clock: FakeClock;
const open: RunStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsule-run-index-'));
  clock = new FakeClock();
});
afterEach(async () => {
  await stopAllHarnesses();
  for (const store of open.splice(0)) await store.close();
  await rm(dir, {recursive: true, force: true});
});

async function openStore(name: string): Promise<RunStore> {
  // Small limits, so the loop prunes by count and by age many times.
  const store = await RunStore.open({file: join(dir, name, 'runs.json'), logsDir: join(dir, name, 'logs'), clock, retention: {maxRunsPerTask: 6, maxAgeMs: 5_000}});
  open.push(store);
  return store;
}

describe('RunIndex', () => {
  it('answers every selection exactly as a linear filter would, through submits, status changes, retries, pruning by count and age, and reloads', async () => {
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
      let store = await openStore(`seed-${seed}`);
      let counter = 0;
      for (let step = 0; step < 600; step++) {
        const live = [...store.runs()].filter((run) => !['succeeded', 'failed', 'cancelled'].includes(run.status));
        const roll = next();
        const now = clock.now();
        let changed: RunRecord | null = null;
        if (roll < 0.35 || live.length === 0) {
          const delayed = next() < 0.15;
          changed = newRun({id: `run_${seed}_${String(++counter).padStart(5, '0')}`, namespace: pick(NAMESPACES), task: pick(TASKS), input: null, parentId: null, runAt: delayed ? now + 1000 : null}, now);
        } else {
          const run = pick(live);
          if (run.status === 'scheduled') changed = next() < 0.8 ? wakeRun(run) : cancelRun(run, 'cancelled', NO_USAGE, now);
          else if (run.status === 'queued') changed = next() < 0.85 ? startAttempt(run, now) : cancelRun(run, 'cancelled', NO_USAGE, now);
          else if (run.status === 'running') {
            const outcome = next();
            const error = {type: 'error' as const, message: 'boom', stack: null};
            // A retry sends the run back to queued: it leaves the running list and comes back into queued's, in its place.
            if (outcome < 0.45) changed = succeedRun(run, null, NO_USAGE, now);
            else if (outcome < 0.7) changed = failAttempt(run, error, NO_USAGE, now, true);
            else if (outcome < 0.9) changed = failAttempt(run, error, NO_USAGE, now, false);
            else changed = cancelRun(run, 'cancelled', NO_USAGE, now);
          }
        }
        if (changed) await store.put(changed);
        if (next() < 0.1) clock.advance(Math.floor(next() * 3000));
        if (step % 25 === 0) expectSameAsLinear(store, `seed ${seed} step ${step}`);
        if (step % 150 === 149) {
          // Reloaded from disk, as a restarted daemon opens it: same answers.
          const before = selections().map((selection) => store.list(selection, 1000).map((run) => run.id));
          await store.close();
          open.splice(open.indexOf(store), 1);
          store = await openStore(`seed-${seed}`);
          const after = selections().map((selection) => store.list(selection, 1000).map((run) => run.id));
          // Opening prunes what aged out meanwhile (nothing here: the clock did not move), so both agree.
          expect(after, `seed ${seed} reload at ${step}`).toEqual(before);
          expectSameAsLinear(store, `seed ${seed} after reload at ${step}`);
        }
      }
      // The loop pruned many runs (by count and by age), not only a few.
      expect(counter - [...store.runs()].length).toBeGreaterThan(50);
    }
  });

  it('keeps no list once the runs in it are gone', () => {
    const index = new RunIndex();
    const runs = Array.from({length: 2000}, (_, n) => newRun({id: `run_${n}`, namespace: 'a', task: n % 2 ? 'x' : 'y', input: null, parentId: null}, 0));
    for (const run of runs) index.set(run);
    for (const run of runs) index.set(startAttempt(run, 1));
    expect(index.newest({status: 'queued' as RunStatus}, 10)).toEqual([]);
    expect(index.newest({namespace: 'a', task: 'x'}, 3).map((run) => run.id)).toEqual(['run_1999', 'run_1997', 'run_1995']);
    for (const run of runs) index.delete(run.id);
    expect(index.size).toBe(0);
    expect(index.newest({}, 10)).toEqual([]);
    expect(index.listCount).toBe(0);
  });

  it('serves the runner\'s listing without walking the history', async () => {
    const {runner, store} = await createHarness({tasks: [spec('build'), spec('other')], maxParallel: 1});
    const submitted: RunRecord[] = [];
    for (let n = 0; n < 40; n++) submitted.push(await runner.submit({namespace: 'reports', task: n % 4 === 0 ? 'other' : 'build'}, {n}));
    // Before the index, every listing copied all the runs kept (store.runs()) and filtered them one by one.
    const walk = vi.spyOn(store, 'runs');
    const others = runner.list({namespace: 'reports', task: 'other', status: 'queued', limit: 3});
    expect(others.map((run) => run.id)).toEqual(submitted.filter((run, n) => n % 4 === 0 && runner.get(run.id).status === 'queued').reverse().slice(0, 3).map((run) => run.id));
    expect(runner.list({limit: 2}).map((run) => run.id)).toEqual(submitted.slice(-2).reverse().map((run) => run.id));
    expect(walk).not.toHaveBeenCalled();
  });
});
