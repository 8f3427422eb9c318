/** Lines a task may log per second on average before lines are dropped (the log stream is bounded). */
export const LOG_LINES_PER_SECOND = 1000;
/** Lines a task may log at once above that rate. */
export const LOG_BURST_LINES = 2000;

/** A token bucket over log lines, with the count of lines it refused since it last reported them. */
export class LogThrottle {
  private tokens: number;
  private refilledAt: number;
  private droppedLines = 0;

  constructor(
    private readonly now: () => number,
    private readonly linesPerSecond = LOG_LINES_PER_SECOND,
    private readonly burstLines = LOG_BURST_LINES,
  ) {
    this.tokens = burstLines;
    this.refilledAt = now();
  }

  /** True when the line may be sent; a refused line is counted. */
  admit(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burstLines, this.tokens + ((now - this.refilledAt) / 1000) * this.linesPerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.droppedLines++;
      return false;
    }
    this.tokens--;
    return true;
  }

  /** Lines refused since the last call. */
  takeDropped(): number {
    const dropped = this.droppedLines;
    this.droppedLines = 0;
    return dropped;
  }
}
