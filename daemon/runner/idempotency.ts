import type {RunRecord} from '../../src/protocol/index.js';

/** How long an idempotency key lives after its submit, unless the submit says. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** The index is swept when it has grown to this many entries at least, and twice its size after the last sweep. */
const MIN_SWEEP_SIZE = 1024;

interface Entry {
  runId: string;
  expiresAt: number;
}

/**
 * Live idempotency keys → the run each was submitted with, scoped to its task (`ns/task`), so
 * two tasks' "order-42" never meet. Rebuilt from the run history at start: the records keep
 * their key and its expiry. An entry goes when its key expires or its run is pruned from the
 * history (`isKept` says false), found out lazily when the key is asked for, and by a sweep
 * each time the index has doubled since the last one, so it never holds more than about twice
 * the live keys.
 */
export class IdempotencyIndex {
  readonly #entries = new Map<string, Entry>();
  readonly #isKept: (runId: string) => boolean;
  #sweepAt = MIN_SWEEP_SIZE;

  /** Indexes the runs of `history` whose keys still live at `now`; a later run with the same key wins. */
  constructor(history: Iterable<RunRecord>, now: number, isKept: (runId: string) => boolean) {
    this.#isKept = isKept;
    for (const run of history) {
      if (run.idempotencyKey === null || run.idempotencyExpiresAt === null) continue;
      const expiresAt = Date.parse(run.idempotencyExpiresAt);
      if (expiresAt > now) this.#entries.set(scoped(`${run.namespace}/${run.task}`, run.idempotencyKey), {runId: run.id, expiresAt});
    }
    this.#sweepAt = Math.max(MIN_SWEEP_SIZE, 2 * this.#entries.size);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The run submitted to `taskKey` with `key`, while the key lives and its run is kept. */
  find(taskKey: string, key: string, now: number): string | undefined {
    const name = scoped(taskKey, key);
    const entry = this.#entries.get(name);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > now && this.#isKept(entry.runId)) return entry.runId;
    this.#entries.delete(name);
    return undefined;
  }

  add(taskKey: string, key: string, runId: string, expiresAt: number, now: number): void {
    this.#entries.set(scoped(taskKey, key), {runId, expiresAt});
    if (this.#entries.size < this.#sweepAt) return;
    for (const [name, entry] of this.#entries) if (entry.expiresAt <= now || !this.#isKept(entry.runId)) this.#entries.delete(name);
    this.#sweepAt = Math.max(MIN_SWEEP_SIZE, 2 * this.#entries.size);
  }

  /** Forgets a key whose run was never accepted (its record could not be written). */
  remove(taskKey: string, key: string, runId: string): void {
    const name = scoped(taskKey, key);
    if (this.#entries.get(name)?.runId === runId) this.#entries.delete(name);
  }
}

function scoped(taskKey: string, key: string): string {
  return `${taskKey}\0${key}`;
}
