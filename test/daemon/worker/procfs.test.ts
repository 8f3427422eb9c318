import {describe, expect, it} from 'vitest';
import {pageBytes, parseCpuSoftLimitSeconds, parseStatCpuMs, parseStatusRssBytes, readCpuMs, readOwnThreadId, readRssBytes, readStat} from '../../../daemon/worker/procfs.js';

describe('procfs parsers', () => {
  it('reads utime + stime after a command name holding spaces and parentheses', () => {
    const stat = '4242 (node (worker) 1) R 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 1 0 100 0 0';
    expect(parseStatCpuMs(stat)).toBe(1_750);
  });

  it('gives null for a line cut before its CPU times', () => {
    expect(parseStatCpuMs('4242 (node) R 1 2 3 4 5 6 7 8 9')).toBeNull();
    expect(parseStatCpuMs('')).toBeNull();
  });

  it('reads VmRSS in bytes', () => {
    expect(parseStatusRssBytes('Name:\tnode\nVmHWM:\t  9000 kB\nVmRSS:\t  2048 kB\n')).toBe(2048 * 1024);
    expect(parseStatusRssBytes('Name:\tkthread\n')).toBeNull();
  });

  it('reads the soft CPU limit, null when unlimited', () => {
    const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax cpu time              ${soft}            unlimited            seconds\n`;
    expect(parseCpuSoftLimitSeconds(limits('12'))).toBe(12);
    expect(parseCpuSoftLimitSeconds(limits('unlimited'))).toBeNull();
  });
});

describe.runIf(process.platform === 'linux')('procfs readers', () => {
  it('read this process and thread, and null for a process that does not exist', () => {
    expect(readCpuMs(process.pid)).toBeGreaterThanOrEqual(0);
    expect(readCpuMs(process.pid, readOwnThreadId()!)).toBeGreaterThanOrEqual(0);
    expect(readRssBytes(process.pid)).toBeGreaterThan(0);
    expect(readRssBytes(2 ** 22 + 1)).toBeNull();
  });
});

describe('pageBytes', () => {
  it("is the unit of a stat file's rss: pages times it is about VmRSS", () => {
    const pages = readStat(process.pid)!.rssPages;
    const rss = readRssBytes(process.pid)!;
    // Read one after the other: the process may grow a little in between, not by a factor of two.
    expect(pages * pageBytes()).toBeGreaterThan(rss / 1.5);
    expect(pages * pageBytes()).toBeLessThan(rss * 1.5);
  });
});
