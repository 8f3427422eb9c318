import {MAX_LOG_LINES} from './log.js';

export interface DaemonEvent {
  event: string;
  data: unknown;
}

/** What one flush hands to the reducer: the newest state of each item that changed, then log lines in order. */
export interface Batch {
  updates: DaemonEvent[];
  lines: DaemonEvent[];
  /** More distinct items changed than a batch holds: the consumer must reload its snapshot. */
  overflowed: boolean;
}

/** Distinct items one batch may carry before it gives up and asks for a reload instead. */
export const MAX_BATCH_ITEMS = 10_000;

const LINE_EVENTS = new Set(['run.log', 'service.log', 'service.actionOutput']);

// Each of these events carries an item's whole state, so a newer one replaces an older one
// for the same item: a flood of updates costs one reducer step per item, not per event.
const ITEM_KEYS: Record<string, (data: Record<string, unknown>) => string> = {
  'project.updated': (data) => `project:${String(data.namespace)}`,
  'project.removed': (data) => `project:${String(data.namespace)}`,
  'run.updated': (data) => `run:${String(data.id)}`,
  'run.progress': (data) => `progress:${String(data.runId)}`,
  'schedule.updated': (data) => `schedule:${String(data.namespace)}/${String(data.name)}`,
  'service.updated': (data) => `service:${String(data.namespace)}/${String(data.name)}`,
};

/** Collects events between two flushes, coalescing item updates and capping log lines. */
export class EventBatch {
  private items = new Map<string, DaemonEvent>();
  private lines: DaemonEvent[] = [];
  private overflowed = false;

  /** Returns false for an event the dashboard does not use (nothing was kept). */
  add(event: string, data: unknown): boolean {
    if (LINE_EVENTS.has(event)) {
      this.lines.push({event, data});
      // Trimmed in chunks so a flood costs amortised O(1) per line.
      if (this.lines.length > 2 * MAX_LOG_LINES) this.lines = this.lines.slice(-MAX_LOG_LINES);
      return true;
    }
    const keyOf = ITEM_KEYS[event];
    if (!keyOf || typeof data !== 'object' || data === null) return false;
    if (this.overflowed) return true;
    const key = keyOf(data as Record<string, unknown>);
    // Re-inserted so the map's order stays the order of each item's latest event.
    this.items.delete(key);
    this.items.set(key, {event, data});
    if (this.items.size > MAX_BATCH_ITEMS) {
      this.items.clear();
      this.overflowed = true;
    }
    return true;
  }

  get isEmpty(): boolean {
    return this.items.size === 0 && this.lines.length === 0 && !this.overflowed;
  }

  take(): Batch {
    const batch: Batch = {updates: [...this.items.values()], lines: this.lines.slice(-MAX_LOG_LINES), overflowed: this.overflowed};
    this.items = new Map();
    this.lines = [];
    this.overflowed = false;
    return batch;
  }
}
