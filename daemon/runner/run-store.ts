import {CapsuleError} from '../../src/lib/errors.js';
import type {RunRecord} from '../../src/protocol/index.js';
import type {Clock} from '../core/clock.js';
import {Fifo} from './fifo.js';
import {RunJournal, type DurableState, type JournalEntry, type PendingSignal, type StoredStep} from './run-journal.js';
import {RunIndex, type RunSelection} from './run-index.js';
import {RunLogs} from './run-logs.js';
import {isFinalRunStatus} from '../../src/protocol/index.js';
import {compareStrings} from '../../src/lib/compare.js';
import {mkdir, open as openFile, readFile, rm} from 'node:fs/promises';
import {dirname, join} from 'node:path';
import {PRIVATE_FILE_MODE} from '../core/private-file.js';

export type {PendingSignal, StoredStep} from './run-journal.js';

/** A step's JSON result up to this size is kept in the journal and memory; a larger one (up to MAX_STEP_RESULT_BYTES) in a file of its own. */
export const MAX_INLINE_STEP_BYTES = 1024 * 1024;

/** How much finished history is kept. Queued and running runs are never pruned. */
export interface RunRetention {
  /** Finished runs kept per task; the oldest go first. @default 1000 */
  maxRunsPerTask: number;
  /** Finished runs older than this (by finish time) are removed. @default 7 days */
  maxAgeMs: number;
}

export const DEFAULT_RUN_RETENTION: RunRetention = {maxRunsPerTask: 1000, maxAgeMs: 7 * 24 * 3_600_000};

/** The journal is folded into the snapshot once it holds this many bytes. */
export const JOURNAL_COMPACT_BYTES = 8 * 1024 * 1024;

export interface RunStoreOptions {
  /** The snapshot file, e.g. CAPSULE_HOME/runs.json; the journal sits beside it. */
  file: string;
  /** Directory of per-run log files, e.g. CAPSULE_HOME/logs/runs. */
  logsDir: string;
  /** Directory of step results too large for the journal. @default `steps` beside `file` */
  stepsDir?: string;
  clock: Clock;
  /** @default DEFAULT_RUN_RETENTION */
  retention?: Partial<RunRetention>;
  /** Something went wrong with no caller to tell (a torn journal line, a failed log write). @default console.error */
  onWarning?: (message: string, error?: unknown) => void;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Every run the daemon knows, in memory and on disk, with their logs. Changes are written in
 * groups: all the changes made while a write is in flight (or within one turn of the event loop)
 * go out in the next single write and fdatasync, so a burst of submits costs one sync per group,
 * not one per run, and every change is acknowledged (its `put` resolves) only once it would
 * survive a power loss.
 * Finished runs beyond the retention are pruned as part of each write.
 */
export class RunStore {
  readonly logs: RunLogs;
  readonly #journal: RunJournal;
  readonly #clock: Clock;
  readonly #retention: RunRetention;
  readonly #warn: (message: string, error?: unknown) => void;
  /** In creation order, and by namespace, task and status. */
  readonly #runs = new RunIndex();
  /** Per task, finished runs in the order they finished: pruning takes from the front. */
  readonly #finished = new Map<string, Fifo<{id: string; finishedAt: number}>>();
  /** Per run with steps or pending signals: its steps (in the order first recorded, with their places by key) and signals. */
  readonly #durable = new Map<string, {steps: StoredStep[]; byKey: Map<string, number>; signals: PendingSignal[]}>();
  readonly #stepsDir: string;
  #dirty = new Map<string, JournalEntry>();
  #next: Deferred | null = null;
  /** Some change of the next group is to be acknowledged: the group is synced. */
  #syncNext = false;
  #writing = false;
  #closed = false;

  private constructor(journal: RunJournal, logs: RunLogs, clock: Clock, retention: RunRetention, warn: (message: string, error?: unknown) => void, stepsDir: string) {
    this.#journal = journal;
    this.#stepsDir = stepsDir;
    this.logs = logs;
    this.#clock = clock;
    this.#retention = retention;
    this.#warn = warn;
  }

  static async open(options: RunStoreOptions): Promise<RunStore> {
    const warn = options.onWarning ?? ((message: string, error?: unknown) => console.error(message, error ?? ''));
    const retention = {...DEFAULT_RUN_RETENTION, ...options.retention};
    if (!(retention.maxRunsPerTask >= 1) || !(retention.maxAgeMs > 0)) {
      throw new CapsuleError('bad_input', `invalid run retention: expected maxRunsPerTask ≥ 1 and maxAgeMs > 0, got ${JSON.stringify(retention)}`);
    }
    const logs = await RunLogs.open(options.logsDir, {onError: (error) => warn('could not write a run log', error)});
    const {journal, history} = await RunJournal.open(options.file);
    if (history.skippedLines > 0) warn(`run history: skipped ${history.skippedLines} unreadable journal line(s) of ${options.file}, probably torn by a crash`);
    const store = new RunStore(journal, logs, options.clock, retention, warn, options.stepsDir ?? join(dirname(options.file), 'steps'));
    for (const [runId, state] of history.durable) {
      store.#durable.set(runId, {steps: state.steps, byKey: new Map(state.steps.map((step, at) => [step.record.key, at])), signals: state.signals});
    }
    // The files hold runs in creation order (the snapshot is written in it, and a run's first journal
    // line is written when it is created); timestamps cannot restore it, many runs share a millisecond.
    for (const run of history.runs) store.#runs.set(run);
    const byFinish = history.runs.filter((run) => isFinalRunStatus(run.status)).sort((a, b) => compareStrings(a.finishedAt ?? '', b.finishedAt ?? ''));
    for (const run of byFinish) store.#indexFinished(run);
    store.#removeLogs(store.#prune());
    // Compacting now also drops a torn last journal line before anything is appended after it.
    await journal.compact([...store.#runs.values()], store.#durableSnapshot());
    return store;
  }

  get(id: string): RunRecord | undefined {
    return this.#runs.get(id);
  }

  /** Every run, oldest first. */
  runs(): IterableIterator<RunRecord> {
    return this.#runs.values();
  }

  /** Up to `limit` runs matching `selection`, newest first; costs what it returns, however long the history. */
  list(selection: RunSelection, limit: number): RunRecord[] {
    return this.#runs.newest(selection, limit);
  }

  /** The run of this task that finished last. */
  lastFinished(namespace: string, task: string): RunRecord | undefined {
    const last = this.#finished.get(taskKey(namespace, task))?.last();
    return last && this.#runs.get(last.id);
  }

  /**
   * Records the run's new state; resolves once it is on disk. `sync: false` is for a change that
   * nobody is told of (an attempt's start): its group is written but not synced on its own, and
   * reaches the disk with the next synced group at the latest. A power loss may take such a
   * change back; a crash of the daemon does not (it is in the page cache).
   */
  put(run: RunRecord, {sync = true}: {sync?: boolean} = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new CapsuleError('internal', `run store is closed; cannot record ${run.id}`));
    const previous = this.#runs.get(run.id);
    this.#runs.set(run);
    if (isFinalRunStatus(run.status) && (!previous || !isFinalRunStatus(previous.status))) this.#indexFinished(run);
    this.#dirty.set(run.id, run);
    if (sync) this.#syncNext = true;
    return this.#requestWrite();
  }

  /** The run's steps, in the order they were first recorded. */
  steps(runId: string): readonly StoredStep[] {
    return this.#durable.get(runId)?.steps ?? [];
  }

  step(runId: string, key: string): StoredStep | undefined {
    const state = this.#durable.get(runId);
    const at = state?.byKey.get(key);
    return at === undefined ? undefined : state!.steps[at];
  }

  /** Records a step's new state; resolves once it is on disk. A result over MAX_INLINE_STEP_BYTES goes to a file first. */
  async putStep(step: StoredStep, json?: string): Promise<void> {
    const {runId, key} = step.record;
    if (!this.#runs.has(runId)) throw new CapsuleError('internal', `no run ${runId} to record step ${key} of`);
    let kept = step;
    if (json !== undefined && Buffer.byteLength(json) > MAX_INLINE_STEP_BYTES) {
      const {value: _inFile, ...rest} = step;
      kept = {...rest, file: await this.#writeStepFile(runId, key, json)};
    }
    const state = this.#durableOf(runId);
    const at = state.byKey.get(key);
    if (at === undefined) state.byKey.set(key, state.steps.push(kept) - 1);
    else state.steps[at] = kept;
    this.#dirty.set(`${runId}\0step\0${key}`, {step: kept});
    this.#syncNext = true;
    return this.#requestWrite();
  }

  /** A step's result, read from its file if it has one. */
  async stepValue(step: StoredStep): Promise<unknown> {
    if (step.file === undefined) return step.value ?? null;
    return JSON.parse(await readFile(join(this.#stepsDir, step.file), 'utf8')) as unknown;
  }

  signals(runId: string): readonly PendingSignal[] {
    return this.#durable.get(runId)?.signals ?? [];
  }

  /** Sets the run's pending signals; resolves once on disk. */
  setSignals(runId: string, list: PendingSignal[]): Promise<void> {
    this.#durableOf(runId).signals = list;
    this.#dirty.set(`${runId}\0signals`, {signals: {runId, list}});
    this.#syncNext = true;
    return this.#requestWrite();
  }

  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void> {
    if (this.#dirty.size === 0 && !this.#writing) return Promise.resolve();
    return this.#requestWrite();
  }

  /** Writes what is pending, folds the journal into the snapshot, and releases the files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    await this.logs.flush();
    await this.#journal.compact([...this.#runs.values()], this.#durableSnapshot());
    await this.#journal.close();
  }

  #requestWrite(): Promise<void> {
    if (!this.#next) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((done, fail) => {
        resolve = done;
        reject = fail;
      });
      this.#next = {promise, resolve, reject};
      if (!this.#writing) {
        this.#writing = true;
        setImmediate(() => void this.#writeLoop());
      }
    }
    return this.#next.promise;
  }

  async #writeLoop(): Promise<void> {
    while (this.#next) {
      const waiting = this.#next;
      this.#next = null;
      const sync = this.#syncNext;
      this.#syncNext = false;
      const batch = this.#dirty;
      this.#dirty = new Map();
      const pruned = this.#prune();
      for (const id of pruned) batch.set(id, {deleted: id});
      // Taken now, with this group: changes made while it is written are in no journal line yet.
      const snapshot = this.#journal.bytes >= JOURNAL_COMPACT_BYTES ? {runs: [...this.#runs.values()], durable: this.#durableSnapshot()} : null;
      try {
        await this.#journal.append(batch.values(), {sync});
        if (snapshot) await this.#journal.compact(snapshot.runs, snapshot.durable);
        waiting.resolve();
      } catch (error) {
        // Keep the changes for the next write, unless a newer change to the same run supersedes them.
        for (const [id, entry] of batch) if (!this.#dirty.has(id)) this.#dirty.set(id, entry);
        if (sync) this.#syncNext = true;
        waiting.reject(new CapsuleError('internal', `could not write the run history: ${error instanceof Error ? error.message : String(error)}`, {cause: error}));
      }
      this.#removeLogs(pruned);
    }
    this.#writing = false;
  }

  #removeLogs(runIds: string[]): void {
    if (runIds.length === 0) return;
    this.logs.remove(runIds).catch((error: unknown) => this.#warn('could not remove the logs of pruned runs', error));
    for (const runId of runIds) {
      const state = this.#durable.get(runId);
      if (!state) continue;
      this.#durable.delete(runId);
      if (state.steps.some((step) => step.file !== undefined)) {
        rm(join(this.#stepsDir, runId), {recursive: true, force: true}).catch((error: unknown) => this.#warn(`could not remove the step results of pruned run ${runId}`, error));
      }
    }
  }

  #durableOf(runId: string): {steps: StoredStep[]; byKey: Map<string, number>; signals: PendingSignal[]} {
    let state = this.#durable.get(runId);
    if (!state) {
      state = {steps: [], byKey: new Map(), signals: []};
      this.#durable.set(runId, state);
    }
    return state;
  }

  #durableSnapshot(): Map<string, DurableState> {
    const snapshot = new Map<string, DurableState>();
    // Copies of the lists (a step is replaced, never changed in place): later changes stay out of this snapshot.
    for (const [runId, {steps, signals}] of this.#durable) if (this.#runs.has(runId)) snapshot.set(runId, {steps: [...steps], signals});
    return snapshot;
  }

  /** Writes a large step result to its own file, synced, before the journal line that names it. */
  async #writeStepFile(runId: string, key: string, json: string): Promise<string> {
    const name = `${runId}/${encodeURIComponent(key)}.json`;
    const path = join(this.#stepsDir, name);
    await mkdir(dirname(path), {recursive: true, mode: 0o700});
    const handle = await openFile(path, 'w', PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(json);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    return name;
  }

  #indexFinished(run: RunRecord): void {
    const key = taskKey(run.namespace, run.task);
    let line = this.#finished.get(key);
    if (!line) {
      line = new Fifo();
      this.#finished.set(key, line);
    }
    line.push({id: run.id, finishedAt: Date.parse(run.finishedAt ?? run.createdAt)});
  }

  /** Drops finished runs past the retention; returns their ids. */
  #prune(): string[] {
    const oldest = this.#clock.now() - this.#retention.maxAgeMs;
    const pruned: string[] = [];
    for (const [key, line] of this.#finished) {
      while (line.size > this.#retention.maxRunsPerTask || (line.size > 0 && line.peek()!.finishedAt < oldest)) {
        const {id} = line.shift()!;
        this.#runs.delete(id);
        pruned.push(id);
      }
      if (line.size === 0) this.#finished.delete(key);
    }
    return pruned;
  }
}

function taskKey(namespace: string, task: string): string {
  return `${namespace}/${task}`;
}
