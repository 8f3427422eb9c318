import {open, readFile, type FileHandle} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {PRIVATE_FILE_MODE, PrivateDataFile, syncDirectory} from '../core/private-file.js';
import {CapsuleError} from '../../src/lib/errors.js';
import type {RunRecord, StepRecord} from '../../src/protocol/index.js';

interface Snapshot {
  version: 1;
  runs: RunRecord[];
  /** The runs' durable steps and pending signals (absent in histories from before durable runs). */
  durable?: Record<string, DurableState>;
}

/** A step as the store keeps it: its record, and what replaying it needs. */
export interface StoredStep {
  record: StepRecord;
  /** Its place in the order of its attempt's step calls. */
  index: number;
  /** Its place in the order the run's steps ended; null while waiting. */
  order: number | null;
  /** The result, up to MAX_INLINE_STEP_BYTES of JSON (a wait's signal value, a prompt's answer). */
  value?: unknown;
  /** A larger result is in this file (under the store's steps directory). */
  file?: string;
}

/** A signal sent to a run before it reached the wait for it. */
export interface PendingSignal {
  name: string;
  value: unknown;
  at: string;
}

export interface DurableState {
  steps: StoredStep[];
  signals: PendingSignal[];
}

/**
 * One journal line: a run's whole record as it now is, the removal of a pruned run, one step of
 * a run as it now is, or a run's pending signals as they now are.
 */
export type JournalEntry = RunRecord | {deleted: string} | {step: StoredStep} | {signals: {runId: string; list: PendingSignal[]}};

export interface LoadedHistory {
  runs: RunRecord[];
  durable: Map<string, DurableState>;
  /** Journal lines that could not be read (a line torn by a crash mid-write). */
  skippedLines: number;
}

/**
 * Run history on disk: a JSON snapshot (`runs.json`) plus an append-only journal
 * (`runs.journal.jsonl`) of the records changed since.
 *
 * Why a journal: rewriting the whole snapshot costs about 3 ms per thousand runs kept, and
 * every submit waits for its record to be written; appending the changed records costs well
 * under a millisecond whatever the history holds. The snapshot is rewritten (compacted) when the
 * journal grows past a bound, and at open and close.
 *
 * Both survive a power loss once written: an append resolves after its fdatasync (the caller
 * appends a whole group of changes at once, so that is one sync per group), a snapshot after its
 * temp file and the directory are fsynced (PrivateDataFile), and the journal is emptied only then.
 * A snapshot holds exactly the records the journal held when it was taken, and replaying a
 * journal over the snapshot made from it is idempotent, so a crash between writing a snapshot and
 * emptying the journal reads back the same runs.
 */
export class RunJournal {
  readonly #snapshot: PrivateDataFile<Snapshot>;
  readonly #handle: FileHandle;
  #bytes = 0;

  private constructor(snapshot: PrivateDataFile<Snapshot>, handle: FileHandle) {
    this.#snapshot = snapshot;
    this.#handle = handle;
  }

  /** Opens (creating if need be) the history at `file`, returning it with the runs it holds. */
  static async open(file: string): Promise<{journal: RunJournal; history: LoadedHistory}> {
    const snapshot = new PrivateDataFile<Snapshot>(file, {parse: JSON.parse, stringify: JSON.stringify});
    let data: Snapshot;
    try {
      data = (await snapshot.read()) ?? {version: 1, runs: []};
    } catch (error) {
      throw unreadable(file, error);
    }
    if (!Array.isArray(data.runs)) throw unreadable(file, new Error('expected {"version": 1, "runs": [...]}'));
    const journalFile = journalPath(file);
    const text = await readText(journalFile);
    const history = replay(data.runs, data.durable ?? {}, text ?? '');
    const handle = await open(journalFile, 'a', PRIVATE_FILE_MODE);
    // The mode above applies only to a new file; one from an older version may be 0644.
    await handle.chmod(PRIVATE_FILE_MODE);
    // A new file's name is in its directory, not in the file: without this a power loss could lose the journal itself.
    if (text === null) await syncDirectory(dirname(journalFile));
    return {journal: new RunJournal(snapshot, handle), history};
  }

  /** Bytes appended since the last compaction. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Appends the entries in one write; resolves once they are on disk (fdatasync), or, with
   * `sync: false`, once written (the next synced append carries them to the disk).
   */
  async append(entries: Iterable<JournalEntry>, {sync = true}: {sync?: boolean} = {}): Promise<void> {
    let text = '';
    for (const entry of entries) text += `${JSON.stringify(entry)}\n`;
    if (text === '') return;
    await this.#handle.write(text);
    this.#bytes += Buffer.byteLength(text);
    if (sync) await this.#handle.datasync();
  }

  /**
   * Writes `runs` (and their durable state) as the new snapshot and empties the journal. They
   * must be what the snapshot and the journal hold now: a record newer than the journal's would be
   * undone by the replay of that journal, should a crash come before it is emptied.
   */
  async compact(runs: RunRecord[], durable: ReadonlyMap<string, DurableState>): Promise<void> {
    await this.#snapshot.writeText(snapshotText(runs, durable));
    await this.#handle.truncate(0);
    // Else the next appends, landing at the start of the file, could reach the disk before its new length.
    await this.#handle.datasync();
    this.#bytes = 0;
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

/**
 * The snapshot's JSON, as JSON.stringify would write it, one run (or one run's durable state) at
 * a time: at 100k runs the whole text is some 70 MB, which as one string (and one Buffer to write
 * it) grew the daemon's heap at every compaction, and V8 kept the heap it grew.
 */
function* snapshotText(runs: RunRecord[], durable: ReadonlyMap<string, DurableState>): Generator<string> {
  yield '{"version":1,"runs":[';
  for (let index = 0; index < runs.length; index++) yield index === 0 ? JSON.stringify(runs[index]) : `,${JSON.stringify(runs[index])}`;
  yield ']';
  if (durable.size > 0) {
    let first = true;
    for (const [runId, state] of durable) {
      yield `${first ? ',"durable":{' : ','}${JSON.stringify(runId)}:${JSON.stringify(state)}`;
      first = false;
    }
    yield '}';
  }
  yield '}';
}

function journalPath(file: string): string {
  return join(dirname(file), `${basename(file, '.json')}.journal.jsonl`);
}

function replay(snapshot: RunRecord[], snapshotDurable: Record<string, DurableState>, journal: string): LoadedHistory {
  const runs = new Map(snapshot.map((run) => [run.id, upgrade(run)]));
  const durable = new Map(Object.entries(snapshotDurable));
  // Where each step is in its run's list, so a long run's many step lines replay in linear time.
  const stepPlaces = new Map<string, Map<string, number>>();
  const stateOf = (runId: string): DurableState => {
    let state = durable.get(runId);
    if (!state) {
      state = {steps: [], signals: []};
      durable.set(runId, state);
    }
    return state;
  };
  let skippedLines = 0;
  for (const line of journal.split('\n')) {
    if (line === '') continue;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      skippedLines++;
      continue;
    }
    if ('deleted' in entry) {
      runs.delete(entry.deleted);
      durable.delete(entry.deleted);
      stepPlaces.delete(entry.deleted);
    } else if ('step' in entry) {
      const {runId, key} = entry.step.record;
      const {steps} = stateOf(runId);
      let places = stepPlaces.get(runId);
      if (!places) {
        places = new Map(steps.map((step, at) => [step.record.key, at]));
        stepPlaces.set(runId, places);
      }
      const at = places.get(key);
      if (at === undefined) places.set(key, steps.push(entry.step) - 1);
      else steps[at] = entry.step;
    } else if ('signals' in entry) stateOf(entry.signals.runId).signals = entry.signals.list;
    else runs.set(entry.id, upgrade(entry));
  }
  for (const runId of durable.keys()) if (!runs.has(runId)) durable.delete(runId);
  return {runs: [...runs.values()], durable, skippedLines};
}

/** Records written before durable runs lack their fields: a run of then had the defaults. */
function upgrade(run: RunRecord): RunRecord {
  if (run.priority !== undefined) return run;
  return {...run, priority: 0, wakeAt: null, idempotencyKey: null, idempotencyExpiresAt: null};
}

/** The file's text, or null if there is no such file. */
async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function unreadable(file: string, cause: unknown): CapsuleError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CapsuleError('internal', `cannot read the run history ${file}: ${reason}`, {
    hint: 'move the file aside to start with an empty run history; the daemon recreates it',
    cause,
  });
}
