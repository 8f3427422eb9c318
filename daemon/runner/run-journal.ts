import {open, readFile, type FileHandle} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {Low} from 'lowdb';
import {PRIVATE_FILE_MODE, PrivateDataFile} from '../core/private-file.js';
import {CapsuleError} from '../../src/lib/errors.js';
import type {RunRecord} from '../../src/protocol/index.js';

interface Snapshot {
  version: 1;
  runs: RunRecord[];
}

/** One journal line: a run's whole record as it now is, or the removal of a pruned run. */
export type JournalEntry = RunRecord | {deleted: string};

export interface LoadedHistory {
  runs: RunRecord[];
  /** Journal lines that could not be read (a line torn by a crash mid-write). */
  skippedLines: number;
}

/**
 * Run history on disk: a lowdb snapshot (`runs.json`) plus an append-only journal
 * (`runs.journal.jsonl`) of the records changed since.
 *
 * Why a journal: rewriting the whole snapshot costs about 3 ms per thousand runs kept, and
 * every submit waits for its record to be written; appending the changed records costs well
 * under a millisecond whatever the history holds. The snapshot is rewritten (compacted) when the
 * journal grows past a bound, and at open and close. Replaying the journal over the snapshot is
 * idempotent, so a crash between writing a snapshot and truncating the journal loses nothing.
 */
export class RunJournal {
  readonly #db: Low<Snapshot>;
  readonly #handle: FileHandle;
  #bytes = 0;

  private constructor(db: Low<Snapshot>, handle: FileHandle) {
    this.#db = db;
    this.#handle = handle;
  }

  /** Opens (creating if need be) the history at `file`, returning it with the runs it holds. */
  static async open(file: string): Promise<{journal: RunJournal; history: LoadedHistory}> {
    const db = new Low<Snapshot>(new PrivateDataFile<Snapshot>(file, {parse: JSON.parse, stringify: JSON.stringify}), {version: 1, runs: []});
    try {
      await db.read();
    } catch (error) {
      throw unreadable(file, error);
    }
    if (!Array.isArray(db.data.runs)) throw unreadable(file, new Error('expected {"version": 1, "runs": [...]}'));
    const journalFile = journalPath(file);
    const history = replay(db.data.runs, await readText(journalFile));
    const handle = await open(journalFile, 'a', PRIVATE_FILE_MODE);
    // The mode above applies only to a new file; one from an older version may be 0644.
    await handle.chmod(PRIVATE_FILE_MODE);
    return {journal: new RunJournal(db, handle), history};
  }

  /** Bytes appended since the last compaction. */
  get bytes(): number {
    return this.#bytes;
  }

  async append(entries: JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const text = entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
    await this.#handle.write(text);
    this.#bytes += Buffer.byteLength(text);
  }

  /** Writes `runs` as the new snapshot and empties the journal. */
  async compact(runs: RunRecord[]): Promise<void> {
    this.#db.data = {version: 1, runs};
    await this.#db.write();
    await this.#handle.truncate(0);
    this.#bytes = 0;
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

function journalPath(file: string): string {
  return join(dirname(file), `${basename(file, '.json')}.journal.jsonl`);
}

function replay(snapshot: RunRecord[], journal: string): LoadedHistory {
  const runs = new Map(snapshot.map((run) => [run.id, upgrade(run)]));
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
    if ('deleted' in entry) runs.delete(entry.deleted);
    else runs.set(entry.id, upgrade(entry));
  }
  return {runs: [...runs.values()], skippedLines};
}

/** Records written before durable runs lack their fields: a run of then had the defaults. */
function upgrade(run: RunRecord): RunRecord {
  if (run.priority !== undefined) return run;
  return {...run, priority: 0, wakeAt: null, idempotencyKey: null, idempotencyExpiresAt: null};
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
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
