/**
 * When a watched service restarts (pure: a clock, no files). A burst of changes restarts it
 * once, after a quiet spell; never more than one restart is under way; changes made while one
 * is under way make at most one more, after it. So a tool rewriting files in a loop, or a
 * `git checkout` of thousands, cannot set off a storm of restarts.
 */
import type {Clock} from '../core/clock.js';

/** Quiet time after the last change before the restart: an editor's save or a build's writes are one burst. */
export const WATCH_DEBOUNCE_MS = 200;
/** Changed paths named in a restart's audit event and log note; the rest are only counted. */
export const MAX_NAMED_CHANGES = 10;

export interface WatchBurst {
  /** The first MAX_NAMED_CHANGES distinct paths that changed, relative to the service's cwd. */
  files: string[];
  /** Changes seen in the burst, repeated ones of a path included. */
  changes: number;
}

export class WatchTrigger {
  private files = new Set<string>();
  private changes = 0;
  private cancelQuiet: (() => void) | null = null;
  private restarting = false;
  private closed = false;

  /** `restart` must not reject: its failure is its own to report. */
  constructor(
    private readonly clock: Clock,
    private readonly restart: (burst: WatchBurst) => Promise<void>,
    private readonly debounceMs = WATCH_DEBOUNCE_MS,
  ) {}

  changed(path: string): void {
    if (this.closed) return;
    this.changes++;
    if (this.files.size < MAX_NAMED_CHANGES) this.files.add(path);
    this.cancelQuiet?.();
    this.cancelQuiet = this.clock.schedule(this.debounceMs, () => {
      this.cancelQuiet = null;
      this.fire();
    });
  }

  /** No restart starts after this; one under way runs to its end. */
  close(): void {
    this.closed = true;
    this.cancelQuiet?.();
    this.cancelQuiet = null;
  }

  private fire(): void {
    // While a restart is under way the burst waits: its end fires it.
    if (this.closed || this.restarting || this.changes === 0) return;
    const burst: WatchBurst = {files: [...this.files], changes: this.changes};
    this.files = new Set();
    this.changes = 0;
    this.restarting = true;
    void this.restart(burst).then(() => {
      this.restarting = false;
      // Changes that settled during the restart go now; ones still arriving wait for their quiet spell.
      if (this.cancelQuiet === null) this.fire();
    });
  }
}
