/** The output an action result keeps: its last lines up to this many bytes. */
export const MAX_ACTION_OUTPUT_BYTES = 64 * 1024;

/** The last lines of an action's output, at most MAX_ACTION_OUTPUT_BYTES of them (a single longer line is kept whole). */
export class OutputTail {
  private readonly kept: string[] = [];
  private keptBytes = 0;

  push(line: string): void {
    this.kept.push(line);
    this.keptBytes += Buffer.byteLength(line) + 1;
    while (this.keptBytes > MAX_ACTION_OUTPUT_BYTES && this.kept.length > 1) this.keptBytes -= Buffer.byteLength(this.kept.shift()!) + 1;
  }

  text(): string {
    return this.kept.join('\n');
  }
}
