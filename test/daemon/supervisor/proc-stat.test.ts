import {describe, expect, it} from 'vitest';
import {liveStartTime, parseProcStat, readProcStat} from '../../../daemon/supervisor/proc-stat.js';
import {cpuPercent} from '../../../daemon/supervisor/resource-sampler.js';

describe('parseProcStat', () => {
  it('counts fields after the last parenthesis, whatever the command name holds', () => {
    const fields = ['S', '1', '4242', '4242', '0', '-1', '4194560', '100', '0', '0', '0', '150', '50', '0', '0', '20', '0', '1', '0', '987654', '1000', '200'];
    expect(parseProcStat(`4242 (my (odd) name) ${fields.join(' ')}\n`)).toEqual({pid: 4242, state: 'S', pgrp: 4242, cpuTicks: 200, startTime: 987654, rssPages: 200});
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('reads this very process', async () => {
    const stat = await readProcStat(process.pid);
    expect(stat?.pid).toBe(process.pid);
    expect(await liveStartTime(process.pid)).toBe(stat?.startTime);
    expect(await liveStartTime(2 ** 22 + 1)).toBeNull();
  });
});

describe('cpuPercent', () => {
  it('is the CPU time used over the wall time between samples', () => {
    expect(cpuPercent(undefined, 100, 1000)).toBeNull();
    expect(cpuPercent({ticks: 100, at: 0}, 150, 1000)).toBe(50);
    expect(cpuPercent({ticks: 100, at: 0}, 300, 1000)).toBe(200);
    expect(cpuPercent({ticks: 100, at: 0}, 80, 1000)).toBe(0);
  });
});
