import type {RunRecord, RunStatus} from '../../src/protocol/index.js';

/** Which runs a listing asks for; an absent field matches every run. */
export interface RunSelection {
  namespace?: string;
  task?: string;
  status?: RunStatus;
}

/** A run with its place in creation order. The record is replaced as the run changes; the place never is. */
interface Entry {
  readonly seq: number;
  run: RunRecord;
}

/**
 * The runs the store holds, in creation order, and by namespace, task and status (and each
 * namespace and task by status), so a listing newest first reads only the runs it returns: the
 * same cost at 100k runs as at 1k. Kept on every change of a run, its removal and its load.
 */
export class RunIndex {
  #nextSeq = 0;
  /** In creation order (a Map keeps the order in which keys were first set). */
  readonly #entries = new Map<string, Entry>();
  readonly #lists = new Map<string, OrderedEntries>();

  get size(): number {
    return this.#entries.size;
  }

  /** How many lists are kept: one per namespace, task and status that has runs, and their pairs. */
  get listCount(): number {
    return this.#lists.size;
  }

  get(id: string): RunRecord | undefined {
    return this.#entries.get(id)?.run;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** Every run, oldest first. */
  *values(): IterableIterator<RunRecord> {
    for (const entry of this.#entries.values()) yield entry.run;
  }

  /** Adds a new run (the newest), or records an existing run's new state. */
  set(run: RunRecord): void {
    const entry = this.#entries.get(run.id);
    if (!entry) {
      const added: Entry = {seq: this.#nextSeq++, run};
      this.#entries.set(run.id, added);
      for (const key of listKeys(run)) this.#list(key).insert(added);
      return;
    }
    const previous = entry.run;
    entry.run = run;
    // Namespace and task never change; a new status moves the run between the status lists.
    if (previous.status === run.status) return;
    for (const key of statusKeys(previous)) this.#remove(key, entry);
    for (const key of statusKeys(run)) this.#list(key).insert(entry);
  }

  delete(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    for (const key of listKeys(entry.run)) this.#remove(key, entry);
  }

  /** Up to `limit` runs matching `selection`, newest first. */
  newest(selection: RunSelection, limit: number): RunRecord[] {
    const {namespace, task, status} = selection;
    // A task without its namespace (the protocol allows it) has no list of its own: it is read from the status list, or all.
    const key = namespace === undefined ? (status === undefined ? ALL : statusKey(status)) : listKey(namespace, task, status);
    const found: RunRecord[] = [];
    const list = this.#lists.get(key);
    if (!list) return found;
    for (const {run} of list.newest()) {
      if (found.length >= limit) break;
      if (task !== undefined && run.task !== task) continue;
      found.push(run);
    }
    return found;
  }

  #list(key: string): OrderedEntries {
    let list = this.#lists.get(key);
    if (!list) {
      list = new OrderedEntries();
      this.#lists.set(key, list);
    }
    return list;
  }

  #remove(key: string, entry: Entry): void {
    const list = this.#lists.get(key);
    if (!list) return;
    list.delete(entry);
    // A namespace, task or status with no runs left keeps no list: the map is bounded by what the store holds.
    if (list.size === 0) this.#lists.delete(key);
  }
}

const ALL = '';

function statusKey(status: RunStatus): string {
  return `\0${status}`;
}

/** The list of the runs of `namespace` (and `task`, and `status`, when given). */
function listKey(namespace: string, task: string | undefined, status: RunStatus | undefined): string {
  const scope = task === undefined ? `n\0${namespace}` : `t\0${namespace}\0${task}`;
  return status === undefined ? scope : `${scope}${statusKey(status)}`;
}

/** The lists a run is in whatever its status. */
function scopeKeys(run: RunRecord): string[] {
  return [ALL, listKey(run.namespace, undefined, undefined), listKey(run.namespace, run.task, undefined)];
}

/** The lists a run is in because of its status. */
function statusKeys(run: RunRecord): string[] {
  return [statusKey(run.status), listKey(run.namespace, undefined, run.status), listKey(run.namespace, run.task, run.status)];
}

function listKeys(run: RunRecord): string[] {
  return [...scopeKeys(run), ...statusKeys(run)];
}

/** Entries per chunk when a chunk is split; a chunk holds up to twice that. */
const CHUNK = 512;

/**
 * Entries sorted by `seq`, in chunks: an insert or a delete anywhere moves at most one chunk's
 * entries (a plain sorted array would move up to all of them; pruning takes the oldest, at its
 * front), and a new run, the newest, is appended.
 */
class OrderedEntries {
  readonly #chunks: Entry[][] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  insert(entry: Entry): void {
    this.#size++;
    const chunks = this.#chunks;
    const last = chunks.at(-1);
    if (!last || last.at(-1)!.seq < entry.seq) {
      if (!last || last.length >= CHUNK) chunks.push([entry]);
      else last.push(entry);
      return;
    }
    const at = this.#chunkOf(entry.seq);
    const chunk = chunks[at]!;
    chunk.splice(placeOf(chunk, entry.seq), 0, entry);
    if (chunk.length > 2 * CHUNK) chunks.splice(at, 1, chunk.slice(0, CHUNK), chunk.slice(CHUNK));
  }

  delete(entry: Entry): void {
    const at = this.#chunkOf(entry.seq);
    const chunk = this.#chunks[at];
    if (!chunk) return;
    const place = placeOf(chunk, entry.seq);
    if (chunk[place] !== entry) return;
    this.#size--;
    if (chunk.length === 1) this.#chunks.splice(at, 1);
    else chunk.splice(place, 1);
  }

  /** Newest (highest seq) first. */
  *newest(): Generator<Entry> {
    for (let at = this.#chunks.length - 1; at >= 0; at--) {
      const chunk = this.#chunks[at]!;
      for (let place = chunk.length - 1; place >= 0; place--) yield chunk[place]!;
    }
  }

  /** The first chunk whose last entry is at or after `seq`; the chunk count if none is. */
  #chunkOf(seq: number): number {
    let low = 0;
    let high = this.#chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#chunks[middle]!.at(-1)!.seq < seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Where an entry of `seq` is, or would go, in the sorted chunk. */
function placeOf(chunk: Entry[], seq: number): number {
  let low = 0;
  let high = chunk.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (chunk[middle]!.seq < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}
