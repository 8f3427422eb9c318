interface Entry {
  runId: string;
  /** Higher starts first. */
  priority: number;
  /** When the run became ready, as a counter: orders runs of equal priority, across tasks too. */
  seq: number;
}

/** Whether `a` starts before `b`: higher priority first, then first in, first out. */
function before(a: Entry, b: Entry): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq;
}

/**
 * One task's ready runs as a binary heap on `before`. Runs mostly come in one priority in
 * order, so a push rarely moves past its parent: O(1) in practice, O(log n) at worst, as is a pop.
 */
class Line {
  readonly #heap: Entry[] = [];

  get size(): number {
    return this.#heap.length;
  }

  peek(): Entry | undefined {
    return this.#heap[0];
  }

  push(entry: Entry): void {
    const heap = this.#heap;
    let index = heap.push(entry) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
  }

  pop(): Entry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}

/**
 * Runs ready to start: higher priority first, first in, first out among equals, but a task at
 * its concurrency cap does not hold up the others. Each task has its own line; the next run is
 * the best head among tasks that may start one more.
 *
 * Entries are removed lazily: a run cancelled while ready stays in its line until it reaches the
 * head, where `isReady` rejects it, so cancelling is O(1).
 */
export class ReadyQueue {
  readonly #lines = new Map<string, Line>();
  #seq = 0;

  push(taskKey: string, runId: string, priority = 0): void {
    let line = this.#lines.get(taskKey);
    if (!line) {
      line = new Line();
      this.#lines.set(taskKey, line);
    }
    line.push({runId, priority, seq: this.#seq++});
  }

  /** Removes and returns the best ready run that `canStart` accepts (asked only of each task's first run). */
  take(canStart: (runId: string) => boolean, isReady: (runId: string) => boolean): string | undefined {
    let best: {taskKey: string; line: Line; head: Entry} | undefined;
    for (const [taskKey, line] of this.#lines) {
      while (line.size > 0 && !isReady(line.peek()!.runId)) line.pop();
      if (line.size === 0) {
        this.#lines.delete(taskKey);
        continue;
      }
      const head = line.peek()!;
      if ((!best || before(head, best.head)) && canStart(head.runId)) best = {taskKey, line, head};
    }
    if (!best) return undefined;
    best.line.pop();
    if (best.line.size === 0) this.#lines.delete(best.taskKey);
    return best.head.runId;
  }
}
