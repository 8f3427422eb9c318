import {open, readFile, type FileHandle} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {Low} from 'lowdb';
import {PRIVATE_FILE_MODE, PrivateDataFile, syncDirectory} from '../core/private-file.js';
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
    const text = await readText(journalFile);
    const history = replay(db.data.runs, text ?? '');
    const handle = await open(journalFile, 'a', PRIVATE_FILE_MODE);
    // The mode above applies only to a new file; one from an older version may be 0644.
    await handle.chmod(PRIVATE_FILE_MODE);
    // A new file's name is in its directory, not in the file: without this a power loss could lose the journal itself.
    if (text === null) await syncDirectory(dirname(journalFile));
    return {journal: new RunJournal(db, handle), history};
  }

  /** Bytes appended since the last compaction. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Appends the entries in one write; resolves once they are on disk (fdatasync). */
  async append(entries: Iterable<JournalEntry>): Promise<void> {
    let text = '';
    for (const entry of entries) text += `${JSON.stringify(entry)}\n`;
    if (text === '') return;
    await this.#handle.write(text);
    this.#bytes += Buffer.byteLength(text);
    await this.#handle.datasync();
  }

  /**
   * Writes `runs` as the new snapshot and empties the journal. `runs` must be what the snapshot
   * and the journal hold now: a record newer than the journal's would be undone by the replay of
   * that journal, should a crash come before it is emptied.
   */
  async compact(runs: RunRecord[]): Promise<void> {
    this.#db.data = {version: 1, runs};
    await this.#db.write();
    await this.#handle.truncate(0);
    // Else the next appends, landing at the start of the file, could reach the disk before its new length.
    await this.#handle.datasync();
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
