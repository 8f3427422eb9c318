import {Fifo} from './fifo.js';

interface Entry {
  runId: string;
  /** When the run became ready, as a counter: orders runs across tasks. */
  seq: number;
}

/**
 * Runs ready to start: first in, first out, but a task at its concurrency cap does not hold up
 * the others. Each task has its own line; the next run is the oldest head among tasks that may
 * start one more.
 *
 * Entries are removed lazily: a run cancelled while ready stays in its line until it reaches the
 * head, where `isReady` rejects it, so cancelling is O(1).
 */
export class ReadyQueue {
  readonly #lines = new Map<string, Fifo<Entry>>();
  #seq = 0;

  push(taskKey: string, runId: string): void {
    let line = this.#lines.get(taskKey);
    if (!line) {
      line = new Fifo();
      this.#lines.set(taskKey, line);
    }
    line.push({runId, seq: this.#seq++});
  }

  /** Removes and returns the oldest ready run that `canStart` accepts (asked only of each task's first run). */
  take(canStart: (runId: string) => boolean, isReady: (runId: string) => boolean): string | undefined {
    let best: {taskKey: string; line: Fifo<Entry>; seq: number} | undefined;
    for (const [taskKey, line] of this.#lines) {
      while (line.size > 0 && !isReady(line.peek()!.runId)) line.shift();
      if (line.size === 0) {
        this.#lines.delete(taskKey);
        continue;
      }
      const head = line.peek()!;
      if ((!best || head.seq < best.seq) && canStart(head.runId)) best = {taskKey, line, seq: head.seq};
    }
    if (!best) return undefined;
    const entry = best.line.shift()!;
    if (best.line.size === 0) this.#lines.delete(best.taskKey);
    return entry.runId;
  }
}
