/**
 * Lock keys as per-key lines: the first run in a key's line holds it, the others wait in
 * submission order. A run joins the line when it is submitted and leaves when it ends, so it keeps
 * its key across retries and no later run of the same key slips in between.
 */
export class LockTable {
  // Lines stay short in practice (runs of one key); a splice to drop a cancelled waiter is cheap.
  readonly #lines = new Map<string, string[]>();

  /** Puts `runId` at the end of the key's line; true when it holds the key at once. */
  join(key: string, runId: string): boolean {
    const line = this.#lines.get(key);
    if (!line) {
      this.#lines.set(key, [runId]);
      return true;
    }
    line.push(runId);
    return false;
  }

  /** The run holding the key, if any. */
  holder(key: string): string | undefined {
    return this.#lines.get(key)?.[0];
  }

  holds(key: string, runId: string): boolean {
    return this.#lines.get(key)?.[0] === runId;
  }

  /** Takes `runId` out of the key's line; returns the run that holds the key because of it, if any. */
  leave(key: string, runId: string): string | undefined {
    const line = this.#lines.get(key);
    const index = line?.indexOf(runId) ?? -1;
    if (!line || index === -1) return undefined;
    line.splice(index, 1);
    if (line.length === 0) this.#lines.delete(key);
    return index === 0 ? line[0] : undefined;
  }
}
