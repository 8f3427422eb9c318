import {Fifo} from './fifo.js';

/** The runs of one key in submission order. A run that leaves is dropped lazily when it reaches the front. */
class LockLine {
  readonly #order = new Fifo<string>();
  readonly #members = new Set<string>();

  get size(): number {
    return this.#members.size;
  }

  add(runId: string): void {
    this.#order.push(runId);
    this.#members.add(runId);
  }

  remove(runId: string): boolean {
    return this.#members.delete(runId);
  }

  head(): string | undefined {
    while (this.#order.size > 0 && !this.#members.has(this.#order.peek()!)) this.#order.shift();
    return this.#order.peek();
  }
}

/**
 * Lock keys as per-key lines: the first run in a key's line holds it, the others wait in
 * submission order. A run joins the line when it is submitted and leaves when it ends, so it keeps
 * its key across retries and no later run of the same key slips in between. Every operation is
 * amortised O(1), so cancelling a long line costs no more than building it.
 */
export class LockTable {
  readonly #lines = new Map<string, LockLine>();

  /** Puts `runId` at the end of the key's line; true when it holds the key at once. */
  join(key: string, runId: string): boolean {
    let line = this.#lines.get(key);
    if (!line) {
      line = new LockLine();
      this.#lines.set(key, line);
    }
    line.add(runId);
    return line.head() === runId;
  }

  /** The run holding the key, if any. */
  holder(key: string): string | undefined {
    return this.#lines.get(key)?.head();
  }

  holds(key: string, runId: string): boolean {
    return this.holder(key) === runId;
  }

  /** Takes `runId` out of the key's line; returns the run that holds the key because of it, if any. */
  leave(key: string, runId: string): string | undefined {
    const line = this.#lines.get(key);
    if (!line) return undefined;
    const held = line.head() === runId;
    if (!line.remove(runId)) return undefined;
    if (line.size === 0) {
      this.#lines.delete(key);
      return undefined;
    }
    return held ? line.head() : undefined;
  }
}
