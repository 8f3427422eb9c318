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
 */
export class LogJoin<T extends Numbered> {
  #waiting: T[] | null = [];
  #last = 0;

  constructor(private readonly show: (line: T) => void) {}

  /** A line from the subscription. */
  live(line: T): void {
    if (this.#waiting !== null) {
      this.#waiting.push(line);
      return;
    }
    if (!isNew(line, this.#last)) return;
    this.#last = line.seq;
    this.show(line);
  }

  /** The reply's lines; a second call is ignored. */
  tail(lines: readonly T[]): void {
    const waiting = this.#waiting;
    if (waiting === null) return;
    this.#waiting = null;
    for (const line of lines) this.show(line);
    this.#last = lastSeq(lines);
    for (const line of waiting) this.live(line);
  }
}
