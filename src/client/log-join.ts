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
 * `sourceOf` tells apart logs numbered each on its own (a service's instances), interleaved in one.
 */
export class LogJoin<T extends Numbered> {
  #waiting: T[] | null = [];
  /** The last seq shown, per source. */
  readonly #last = new Map<string, number>();

  constructor(
    private readonly show: (line: T) => void,
    private readonly sourceOf: (line: T) => string = () => '',
  ) {}

  /** A line from the subscription. */
  live(line: T): void {
    if (this.#waiting !== null) {
      this.#waiting.push(line);
      return;
    }
    const source = this.sourceOf(line);
    if (!isNew(line, this.#last.get(source) ?? 0)) return;
    this.#last.set(source, line.seq);
    this.show(line);
  }

  /** The reply's lines; a second call is ignored. */
  tail(lines: readonly T[]): void {
    const waiting = this.#waiting;
    if (waiting === null) return;
    this.#waiting = null;
    for (const line of lines) this.show(line);
    for (const line of lines) this.#last.set(this.sourceOf(line), Math.max(line.seq, this.#last.get(this.sourceOf(line)) ?? 0));
    for (const line of waiting) this.live(line);
  }
}
