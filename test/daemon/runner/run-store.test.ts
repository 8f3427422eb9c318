import {appendFile, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {newRun, NO_USAGE, startAttempt, succeedRun} from '../../../daemon/runner/run-state.js';
import {RunStore, type RunStoreOptions} from '../../../daemon/runner/run-store.js';
import type {RunRecord} from '../../../src/protocol/index.js';
import {FakeClock} from '../core/fake-clock.js';

let dir: string;
let clock: FakeClock;
const open: RunStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsule-store-'));
  clock = new FakeClock();
});
afterEach(async () => {
  // One after the other: stores opened on the same files (a simulated restart) share the snapshot's temp file.
  for (const store of open.splice(0)) await store.close();
  await rm(dir, {recursive: true, force: true});
});

async function openStore(options: Partial<RunStoreOptions> = {}): Promise<RunStore> {
  const store = await RunStore.open({file: join(dir, 'runs.json'), logsDir: join(dir, 'logs'), clock, ...options});
  open.push(store);
  return store;
}

let counter = 0;
function queued(task = 'build'): RunRecord {
  return newRun({id: `run_${String(++counter).padStart(4, '0')}`, namespace: 'reports', task, input: {n: counter}, parentId: null}, clock.now());
}
function succeeded(task = 'build'): RunRecord {
  return succeedRun(startAttempt(queued(task), clock.now()), 'ok', NO_USAGE, clock.now());
}

describe('RunStore', () => {
  it('has a record on disk when its put resolves, and reads it back after a crash', async () => {
    const store = await openStore();
    const run = queued();
    await store.put(run);
    const journal = await readFile(join(dir, 'runs.journal.jsonl'), 'utf8');
    expect(journal).toContain(`"id":"${run.id}"`);
    // A second store on the same files, as a daemon restarted after a kill -9 would open them.
    const reopened = await openStore();
    expect(reopened.get(run.id)).toEqual(run);
  });

  it('groups the changes of one tick into one write', async () => {
    const store = await openStore();
    const first = store.put(queued());
    const second = store.put(queued());
    expect(second).toBe(first);
    await first;
    // While a write is in flight, later changes wait for the next single write.
    const inFlight = store.put(queued());
    await new Promise((resolve) => setImmediate(resolve));
    const nextA = store.put(queued());
    const nextB = store.put(queued());
    expect(nextA).toBe(nextB);
    expect(nextA).not.toBe(inFlight);
    await Promise.all([inFlight, nextA]);
    expect([...store.runs()]).toHaveLength(5);
  });

  it('keeps the last write of a run, and runs in creation order even within one millisecond', async () => {
    const store = await openStore();
    const a = {...queued(), id: 'run_zzzz'};
    const b = {...queued(), id: 'run_aaaa'};
    await Promise.all([store.put(a), store.put(b)]);
    const started = startAttempt(a, clock.now());
    await store.put(started);
    const reopened = await openStore();
    expect([...reopened.runs()].map((run) => [run.id, run.status])).toEqual([
      [a.id, 'running'],
      [b.id, 'queued'],
    ]);
  });

  it('keeps at most maxRunsPerTask finished runs per task, never pruning unfinished ones', async () => {
    const store = await openStore({retention: {maxRunsPerTask: 3}});
    const waiting = queued('build');
    await store.put(waiting);
    const builds: RunRecord[] = [];
    for (let index = 0; index < 5; index++) {
      clock.advance(10);
      builds.push(succeeded('build'));
      store.logs.append({runId: builds.at(-1)!.id, attempt: 1, time: '', level: 'log', message: 'hi'});
      await store.put(builds.at(-1)!);
    }
    const others = [succeeded('other'), succeeded('other')];
    await Promise.all(others.map((run) => store.put(run)));
    await store.logs.flush();
    const kept = (await openStore()).runs();
    expect([...kept].map((run) => run.id)).toEqual([waiting.id, ...builds.slice(2).map((run) => run.id), ...others.map((run) => run.id)]);
    expect(store.get(builds[0]!.id)).toBeUndefined();
    expect(store.lastFinished('reports', 'build')?.id).toBe(builds[4]!.id);
    await expect.poll(() => stat(join(dir, 'logs', `${builds[0]!.id}.jsonl`)).catch(() => 'removed')).toBe('removed');
    await expect(stat(join(dir, 'logs', `${builds[4]!.id}.jsonl`))).resolves.toBeTruthy();
  });

  it('removes finished runs older than maxAgeMs on the next write', async () => {
    const store = await openStore({retention: {maxAgeMs: 60_000}});
    const old = succeeded();
    await store.put(old);
    clock.advance(60_001);
    const fresh = succeeded();
    await store.put(fresh);
    expect(store.get(old.id)).toBeUndefined();
    expect((await openStore()).get(old.id)).toBeUndefined();
    expect(store.get(fresh.id)).toEqual(fresh);
  });

  it('prunes by the retention on open too', async () => {
    const store = await openStore();
    await Promise.all([succeeded(), succeeded(), succeeded()].map((run) => store.put(run)));
    const reopened = await openStore({retention: {maxRunsPerTask: 1}});
    expect([...reopened.runs()]).toHaveLength(1);
  });

  it('skips a journal line torn by a crash, with a warning', async () => {
    const store = await openStore();
    const run = queued();
    await store.put(run);
    await appendFile(join(dir, 'runs.journal.jsonl'), '{"id":"run_torn","sta');
    const warnings: string[] = [];
    const reopened = await openStore({onWarning: (message) => warnings.push(message)});
    expect(reopened.get(run.id)).toEqual(run);
    expect(warnings).toEqual([expect.stringContaining('skipped 1 unreadable journal line')]);
    // Opening folded the journal into the snapshot, so nothing is appended after the torn line.
    expect(await readFile(join(dir, 'runs.journal.jsonl'), 'utf8')).toBe('');
  });

  it('folds the journal into runs.json on close', async () => {
    const store = await openStore();
    const run = succeeded();
    await store.put(run);
    await store.close();
    const snapshot = JSON.parse(await readFile(join(dir, 'runs.json'), 'utf8')) as {version: number; runs: RunRecord[]};
    expect(snapshot).toEqual({version: 1, runs: [run]});
    expect(await readFile(join(dir, 'runs.journal.jsonl'), 'utf8')).toBe('');
    await expect(store.put(queued())).rejects.toThrow(/run store is closed/);
  });

  it('refuses an unreadable snapshot with a way out', async () => {
    await writeFile(join(dir, 'runs.json'), '{not json');
    await expect(openStore()).rejects.toMatchObject({code: 'internal', message: expect.stringContaining('cannot read the run history'), hint: expect.stringContaining('move the file aside')});
  });
});

describe('RunStore: durable steps', () => {
  const stepOf = (runId: string, key: string, index: number, value: unknown, resultBytes: number) => ({
    record: {
      runId, key, name: key.split('#')[0]!, kind: 'step' as const, status: 'succeeded' as const, attempt: 1, tries: 1,
      startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:00:00.001Z', durationMs: 1, resultBytes, error: null, until: null, signal: null, prompt: null,
    },
    index,
    order: index,
    value,
  });

  it('keeps steps, large results and pending signals across a crash (journal) and a clean close (snapshot), and drops them with the run', async () => {
    const store = await openStore({retention: {maxRunsPerTask: 1}});
    const run = queued();
    await store.put(run);
    await store.putStep(stepOf(run.id, 'small#1', 0, {a: 1}, 7), '{"a":1}');
    const big = JSON.stringify('x'.repeat(2 * 1024 * 1024));
    await store.putStep(stepOf(run.id, 'big#1', 1, JSON.parse(big), big.length), big);
    await store.setSignals(run.id, [{name: 'go', value: 42, at: '2025-01-01T00:00:00.000Z'}]);

    // A crash: nothing closed, the journal read back.
    const crashed = await openStore();
    expect(crashed.steps(run.id).map((step) => step.record.key)).toEqual(['small#1', 'big#1']);
    expect(crashed.step(run.id, 'big#1')).toMatchObject({file: `${run.id}/big%231.json`});
    expect(crashed.step(run.id, 'big#1')!.value).toBeUndefined();
    expect(await crashed.stepValue(crashed.step(run.id, 'big#1')!)).toBe(JSON.parse(big));
    expect(crashed.signals(run.id)).toEqual([{name: 'go', value: 42, at: '2025-01-01T00:00:00.000Z'}]);
    await crashed.close();
    open.splice(open.indexOf(crashed), 1);

    const reopened = await openStore({retention: {maxRunsPerTask: 1}});
    expect(await reopened.stepValue(reopened.step(run.id, 'small#1')!)).toEqual({a: 1});
    // The run finishes and is pruned by a newer one: its steps and their file go with it.
    await reopened.put(succeedRun(startAttempt(run, clock.now()), 'ok', NO_USAGE, clock.now()));
    await reopened.put(succeeded());
    expect(reopened.steps(run.id)).toEqual([]);
    await expect.poll(() => stat(join(dir, 'steps', run.id)).then(() => true, () => false)).toBe(false);
  });
});
