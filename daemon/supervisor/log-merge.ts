/** Interleaves the tails of several services' logs, as `capsule logs NS` shows them. */
import type {ServiceLogLine, ServiceLogPosition} from '../../src/protocol/index.js';
import {MAX_TAIL_LINES} from './log-tail.js';

/**
 * The last `count` lines (at most MAX_TAIL_LINES) of `tails`, one per service and each oldest
 * first, merged by time, oldest first; lines of one instant keep their service's order. Also the
 * newest seq read of each service, as the lines the merge leaves out are still read.
 */
export function mergeLogTails(tails: readonly (readonly ServiceLogLine[])[], count: number): {lines: ServiceLogLine[]; readUpTo: ServiceLogPosition[]} {
  const wanted = Math.min(Math.max(0, Math.floor(count)), MAX_TAIL_LINES);
  const readUpTo = tails
    .filter((tail) => tail.length > 0)
    .map((tail) => ({namespace: tail[0]!.namespace, name: tail[0]!.name, seq: Math.max(...tail.map((line) => line.seq))}));
  // Times are ISO 8601 instants in UTC, so their strings sort as they do; the sort is stable.
  const merged = tails.flat().sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return {lines: wanted === 0 ? [] : merged.slice(-wanted), readUpTo};
}
