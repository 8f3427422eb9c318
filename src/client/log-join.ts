/**
 * The follower's half of `run.logs` / `service.logs` with `follow`: the daemon subscribes before it
 * reads the tail, so live lines may come before the tail's reply and may repeat its last lines.
 * Lines are told apart by their `seq`.
 */

/** A log line as the daemon numbers it; 0 for a service line stored before lines were numbered. */
export interface Numbered {
  seq: number;
}

/** The highest seq among `lines`: a live line at or below it is already shown. */
export function lastSeq(lines: readonly Numbered[]): number {
  let last = 0;
  for (const line of lines) if (line.seq > last) last = line.seq;
  return last;
}

/** Whether a live line comes after the ones shown up to `last`. */
export function isNew(line: Numbered, last: number): boolean {
  return line.seq > last;
}

/**
 * Joins the tail with the live lines: those that arrive before the tail wait for it, then every
 * line goes to `show` once, in order. The waiting lines are those of one request's duration.
 * Lines of several logs (a project's services) are told apart by `keyOf`, as each numbers its own.
 */
export class LogJoin<T extends Numbered> {
  #waiting: T[] | null = [];
  readonly #last = new Map<string, number>();

  constructor(
    private readonly show: (line: T) => void,
    private readonly keyOf: (line: T) => string = () => '',
  ) {}

  /** A line from the subscription. */
  live(line: T): void {
    if (this.#waiting !== null) {
      this.#waiting.push(line);
      return;
    }
    const key = this.keyOf(line);
    if (!isNew(line, this.#last.get(key) ?? 0)) return;
    this.#last.set(key, line.seq);
    this.show(line);
  }

  /**
   * The reply's lines; a second call is ignored. `readUpTo`: per key, the newest seq the reply
   * read though it may not hold it (a merged tail leaves out other logs' older lines).
   */
  tail(lines: readonly T[], readUpTo: ReadonlyMap<string, number> = new Map()): void {
    const waiting = this.#waiting;
    if (waiting === null) return;
    this.#waiting = null;
    for (const [key, seq] of readUpTo) this.#seen(key, seq);
    for (const line of lines) {
      this.show(line);
      this.#seen(this.keyOf(line), line.seq);
    }
    for (const line of waiting) this.live(line);
  }

  #seen(key: string, seq: number): void {
    this.#last.set(key, Math.max(this.#last.get(key) ?? 0, seq));
  }
}

/** The key of one service's lines in a LogJoin of several. */
export function serviceKey(service: {namespace: string; name: string}): string {
  return `${service.namespace}/${service.name}`;
}
