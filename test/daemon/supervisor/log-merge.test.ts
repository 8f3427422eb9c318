import {describe, expect, it} from 'vitest';
import type {ServiceLogLine} from '../../../src/protocol/index.js';
import {mergeLogTails} from '../../../daemon/supervisor/log-merge.js';
import {MAX_TAIL_LINES} from '../../../daemon/supervisor/log-tail.js';

const line = (name: string, seq: number, second: number): ServiceLogLine => ({
  namespace: 'ns',
  name,
  seq,
  time: `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`,
  stream: 'stdout',
  line: `${name} ${seq}`,
});

describe('mergeLogTails', () => {
  it('keeps the last lines across services by time, and says how far each service was read', () => {
    const api = [line('api', 1, 1), line('api', 2, 4), line('api', 3, 5)];
    const worker = [line('worker', 10, 2), line('worker', 11, 3)];
    const merged = mergeLogTails([api, worker], 3);
    expect(merged.lines.map((each) => each.line)).toEqual(['worker 11', 'api 2', 'api 3']);
    expect(merged.readUpTo).toEqual([
      {namespace: 'ns', name: 'api', seq: 3},
      {namespace: 'ns', name: 'worker', seq: 11},
    ]);
  });

  it('keeps each service order for lines of one instant, and returns none for a count of 0', () => {
    const same = [line('api', 1, 1), line('api', 2, 1)];
    const other = [line('worker', 5, 1)];
    expect(mergeLogTails([same, other], 10).lines.map((each) => each.line)).toEqual(['api 1', 'api 2', 'worker 5']);
    expect(mergeLogTails([same, other], 0)).toEqual({lines: [], readUpTo: [{namespace: 'ns', name: 'api', seq: 2}, {namespace: 'ns', name: 'worker', seq: 5}]});
    expect(mergeLogTails([], 10)).toEqual({lines: [], readUpTo: []});
  });

  it('returns at most MAX_TAIL_LINES', () => {
    const many = Array.from({length: MAX_TAIL_LINES + 5}, (_, index) => line('api', index + 1, 1));
    expect(mergeLogTails([many], MAX_TAIL_LINES * 2).lines).toHaveLength(MAX_TAIL_LINES);
  });
});
