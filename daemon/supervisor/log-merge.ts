/** Interleaves the tails of several services' logs, as `capsule logs NS` shows them. */
import type {ServiceLogLine, ServiceLogPosition} from '../../src/protocol/index.js';
import {MAX_TAIL_LINES} from './log-tail.js';

/**
 * The last `count` lines (at most MAX_TAIL_LINES) of `tails`, one per service (or per service of
 * several instances) and each oldest first, merged by time, oldest first; lines of one instant
 * keep their order. Also the newest seq read of each instance, as the lines the merge leaves out
 * are still read.
 */
export function mergeLogTails(tails: readonly (readonly ServiceLogLine[])[], count: number): {lines: ServiceLogLine[]; readUpTo: ServiceLogPosition[]} {
  const wanted = Math.min(Math.max(0, Math.floor(count)), MAX_TAIL_LINES);
  const newest = new Map<string, ServiceLogPosition>();
  for (const line of tails.flat()) {
    const key = `${line.namespace}/${line.name}`;
    if ((newest.get(key)?.seq ?? -1) < line.seq) newest.set(key, {namespace: line.namespace, name: line.name, seq: line.seq});
  }
  const readUpTo = [...newest.values()];
  // Times are ISO 8601 instants in UTC, so their strings sort as they do; the sort is stable.
  const merged = tails.flat().sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return {lines: wanted === 0 ? [] : merged.slice(-wanted), readUpTo};
}
