import type {EventArgs, EventName, ServerEvent} from '../../src/protocol/index.js';
import {MAX_LOG_LINES} from './log.js';

/** What one flush hands to the reducer: the newest state of each item that changed, then log lines in order. */
export interface Batch {
  updates: ServerEvent[];
  lines: ServerEvent[];
  /** More distinct items changed than a batch holds: the consumer must reload its snapshot. */
  overflowed: boolean;
}

/** Distinct items one batch may carry before it gives up and asks for a reload instead. */
export const MAX_BATCH_ITEMS = 10_000;

const LINE_EVENTS = new Set<EventName>(['run.log', 'service.log', 'action.output', 'session.output']);

// Each of these events carries an item's whole state, so a newer one replaces an older one
// for the same item: a flood of updates costs one reducer step per item, not per event.
function itemKey(...[event, data]: EventArgs): string | null {
  switch (event) {
    case 'project.updated':
    case 'project.removed':
      return `project:${data.namespace}`;
    case 'run.updated':
      return `run:${data.id}`;
    case 'run.progress':
      return `progress:${data.runId}`;
    case 'schedule.updated':
      return `schedule:${data.namespace}/${data.name}`;
    case 'service.updated':
      return `service:${data.namespace}/${data.name}`;
    case 'session.updated':
      return `session:${data.id}`;
    default:
      return null;
  }
}

/** Collects events between two flushes, coalescing item updates and capping log lines. */
export class EventBatch {
  private items = new Map<string, ServerEvent>();
  private lines: ServerEvent[] = [];
  private overflowed = false;

  /** Returns false for an event the dashboard does not use (nothing was kept). */
  add(...args: EventArgs): boolean {
    const message = {event: args[0], data: args[1]} as ServerEvent;
    if (LINE_EVENTS.has(message.event)) {
      this.lines.push(message);
      // Trimmed in chunks so a flood costs amortised O(1) per line.
      if (this.lines.length > 2 * MAX_LOG_LINES) this.lines = this.lines.slice(-MAX_LOG_LINES);
      return true;
    }
    const key = itemKey(...args);
    if (key === null) return false;
    if (this.overflowed) return true;
    // Re-inserted so the map's order stays the order of each item's latest event.
    this.items.delete(key);
    this.items.set(key, message);
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
