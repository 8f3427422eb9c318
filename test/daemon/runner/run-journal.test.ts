import {readlinkSync} from 'node:fs';
import {mkdtemp, open, readFile, rm, type FileHandle} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {newRun} from '../../../daemon/runner/run-state.js';
import {JOURNAL_COMPACT_BYTES, RunStore} from '../../../daemon/runner/run-store.js';
import type {RunRecord} from '../../../src/protocol/index.js';
import {FakeClock} from '../core/fake-clock.js';

// What reached the file system, in order: each call is recorded once it has returned.
const trace = vi.hoisted(() => ({events: [] as string[], onJournalWrite: null as (() => void) | null, crashAtTruncate: false, crashed: false}));

/** A simulated crash: from the journal's truncation on, the store's files are not touched again. */
function crashed(): Error {
  return new Error('simulated crash after the rename');
}

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      if (trace.crashed) throw crashed();
      await actual.rename(from, to);
      trace.events.push(`rename ${basename(from)} ${basename(to)}`);
    },
  };
});

/** The file (or directory) a handle is open on, by its name as this test knows it. */
function nameOf(handle: FileHandle): string {
  const path = readlinkSync(`/proc/self/fd/${handle.fd}`);
  return path === dir ? 'dir' : basename(path);
}

const RECORDED = ['write', 'writeFile', 'sync', 'datasync', 'truncate'] as const;

beforeAll(async () => {
  const probe = await open(__filename, 'r');
  const prototype = Object.getPrototypeOf(probe) as Record<(typeof RECORDED)[number], (...args: unknown[]) => Promise<unknown>>;
  await probe.close();
  for (const method of RECORDED) {
    const original = prototype[method];
    vi.spyOn(prototype, method).mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
      const name = nameOf(this);
      if (method === 'truncate' && trace.crashAtTruncate) trace.crashed = true;
      if (trace.crashed) throw crashed();
      const result = await original.apply(this, args);
      trace.events.push(`${method} ${name}`);
      if (method === 'write' && name === 'runs.journal.jsonl') trace.onJournalWrite?.();
      return result;
    });
  }
});
afterAll(() => {
  vi.restoreAllMocks();
});

let dir: string;
let clock: FakeClock;
const stores: RunStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsule-journal-'));
  clock = new FakeClock();
  Object.assign(trace, {events: [], onJournalWrite: null, crashAtTruncate: false, crashed: false});
});
afterEach(async () => {
  Object.assign(trace, {onJournalWrite: null, crashAtTruncate: false, crashed: false});
  for (const store of stores.splice(0)) await store.close();
  await rm(dir, {recursive: true, force: true});
});

async function openStore(): Promise<RunStore> {
  const store = await RunStore.open({file: join(dir, 'runs.json'), logsDir: join(dir, 'logs'), clock});
  stores.push(store);
  return store;
}

let counter = 0;
function queued(input: unknown = null): RunRecord {
  return newRun({id: `run_${String(++counter).padStart(4, '0')}`, namespace: 'reports', task: 'build', input, parentId: null}, clock.now());
}

describe('RunJournal durability', () => {
  it('acknowledges a group of changes only after its one write and one fdatasync', async () => {
    const store = await openStore();
    trace.events = [];
    const puts = Array.from({length: 50}, () => store.put(queued()).then(() => trace.events.push('acknowledged')));
    await Promise.all(puts);
    expect(trace.events).toEqual(['write runs.journal.jsonl', 'datasync runs.journal.jsonl', ...Array.from({length: 50}, () => 'acknowledged')]);
  });

  it('writes a change nobody is told of without a sync of its own; the next acknowledged group carries it to the disk', async () => {
    const store = await openStore();
    trace.events = [];
    const started = queued();
    await store.put(started, {sync: false});
    expect(trace.events).toEqual(['write runs.journal.jsonl']);
    await store.put(queued());
    expect(trace.events).toEqual(['write runs.journal.jsonl', 'write runs.journal.jsonl', 'datasync runs.journal.jsonl']);
    // In one group with an acknowledged change, it is synced with it.
    trace.events = [];
    await Promise.all([store.put(queued(), {sync: false}), store.put(queued())]);
    expect(trace.events).toEqual(['write runs.journal.jsonl', 'datasync runs.journal.jsonl']);
  });

  it('syncs a new journal’s directory once, when it creates the file', async () => {
    await openStore();
    expect(trace.events.slice(0, 1)).toEqual(['sync dir']);
    await stores.pop()!.close();
    trace.events = [];
    await openStore();
    // The journal exists now: the only directory sync left is the snapshot's rename.
    expect(trace.events.filter((event) => event === 'sync dir')).toHaveLength(1);
  });

  it('compacts as temp file synced → renamed → directory synced → journal emptied and synced', async () => {
    const store = await openStore();
    await store.put(queued());
    trace.events = [];
    await store.close();
    stores.pop();
    expect(trace.events).toEqual([
      'write .runs.json.tmp',
      'sync .runs.json.tmp',
      'rename .runs.json.tmp runs.json',
      'sync dir',
      'truncate runs.journal.jsonl',
      'datasync runs.journal.jsonl',
    ]);
  });

  it('writes a large snapshot in pieces, never as one string of the whole history', async () => {
    const store = await openStore();
    const runs = Array.from({length: 3000}, () => queued('x'.repeat(1000)));
    await Promise.all(runs.map((run) => store.put(run)));
    trace.events = [];
    await store.close();
    stores.pop();
    // 3 MB of runs: one JSON text of it all (and one Buffer of that) was what grew the heap at each compaction.
    const writes = trace.events.filter((event) => event === 'write .runs.json.tmp');
    expect(writes.length).toBeGreaterThanOrEqual(10);
    expect(trace.events).not.toContain('writeFile .runs.json.tmp');
    const text = await readFile(join(dir, 'runs.json'), 'utf8');
    // Byte for byte what JSON.stringify of the whole snapshot writes.
    expect(text).toBe(JSON.stringify({version: 1, runs}));
  });

  it('reads back what the journal held when a crash comes between a snapshot’s rename and the journal’s truncation', async () => {
    const store = await openStore();
    // One big record takes the journal past its bound: the next group is folded into a snapshot.
    const big = queued('x'.repeat(JOURNAL_COMPACT_BYTES));
    await store.put(big);
    const journaled = queued();
    const later = queued();
    // A run created while the group is being written is in no journal line: the snapshot must not hold it either.
    trace.onJournalWrite = () => {
      trace.onJournalWrite = null;
      void store.put(later).catch(() => {});
    };
    trace.crashAtTruncate = true;
    await expect(store.put(journaled)).rejects.toThrow(/simulated crash/);
    // The crashed store's write of `later` fails too: once it has, nothing of it touches the files again.
    await expect(store.flush()).rejects.toThrow(/simulated crash/);
    Object.assign(trace, {crashAtTruncate: false, crashed: false});
    const snapshot = JSON.parse(await readFile(join(dir, 'runs.json'), 'utf8')) as {runs: RunRecord[]};
    expect(snapshot.runs.map((run) => run.id)).toEqual([big.id, journaled.id]);
    // The daemon restarted on these files, as a kill -9 at that point would leave them.
    const restarted = await openStore();
    expect([...restarted.runs()].map((run) => run.id)).toEqual([big.id, journaled.id]);
  });
});
