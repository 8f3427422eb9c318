// The dashboard draws on the terminal's alternate screen, so leaving it puts back exactly
// what was there before (the shell prompt, the scrollback) whether it exits or crashes.
const ENTER = '\u001B[?1049h\u001B[H';
const LEAVE = '\u001B[?25h\u001B[?1049l';

/** Owns the alternate screen of one stream; `leave()` is safe to call any number of times. */
export class AlternateScreen {
  private active = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  enter(): void {
    if (this.active || !this.stream.isTTY) return;
    this.stream.write(ENTER);
    this.active = true;
  }

  /** Shows the cursor again and goes back to the main screen. Synchronous on a TTY, so it also works from an `exit` handler. */
  leave(): void {
    if (!this.active) return;
    this.active = false;
    this.stream.write(LEAVE);
  }
}
