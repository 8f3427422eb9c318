import {Low} from 'lowdb';
import {PrivateDataFile} from './private-file.js';

/**
 * A JSON document owned by the daemon (the only writer). Mutate `data`, then `save()`:
 * saves requested while a write is in flight are coalesced into one follow-up write, so a
 * burst of changes costs two writes, not one per change. lowdb writes atomically (temp
 * file + rename), so a crash never leaves a half-written file.
 */
export class JsonStore<T extends object> {
  private readonly db: Low<T>;
  private writing: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  private constructor(db: Low<T>) {
    this.db = db;
  }

  static async open<T extends object>(file: string, defaults: T): Promise<JsonStore<T>> {
    const db = new Low<T>(new PrivateDataFile<T>(file, {parse: JSON.parse, stringify: (data) => JSON.stringify(data, null, 2)}), defaults);
    await db.read();
    db.data = {...structuredClone(defaults), ...db.data};
    return new JsonStore(db);
  }

  get data(): T {
    return this.db.data;
  }

  /** Resolves once the current contents (including every change made before the call) are on disk. */
  save(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.writing) {
      this.writing = this.db.write().finally(() => {
        this.writing = null;
      });
      return this.writing;
    }
    this.queued = this.writing.then(() => {
      this.queued = null;
      return this.save();
    });
    return this.queued;
  }
}
