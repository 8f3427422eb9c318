import {readdirSync, readlinkSync} from 'node:fs';
import {Worker} from 'node:worker_threads';
import {describe, expect, it} from 'vitest';
import {pageBytes, parseCpuSoftLimitSeconds, parseStatCpuMs, parseStatusRssBytes, readCpuMs, readOwnThreadCpuMs, readOwnThreadId, readRssBytes, readStat} from '../../../daemon/worker/procfs.js';

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

  it("keeps the thread's own stat file open and reads it afresh each time", () => {
    const statFile = `/proc/${process.pid}/task/${readOwnThreadId()}/stat`;
    const openStatFiles = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === statFile;
      } catch {
        return false; // the descriptor readdir itself used, closed since
      }
    }).length;
    const first = readOwnThreadCpuMs()!;
    expect(openStatFiles()).toBe(1);
    // Burn CPU until the reading moves on: the same descriptor, a new figure.
    let second = first;
    for (let spins = 0; second === first && spins < 10_000; spins++) {
      const until = performance.now() + 5;
      while (performance.now() < until);
      second = readOwnThreadCpuMs()!;
    }
    expect(second).toBeGreaterThan(first);
    expect(openStatFiles()).toBe(1);
  });

  it("closes a worker thread's descriptors when the thread is terminated (so a replaced worker leaves no stat file open)", async () => {
    const count = () => readdirSync('/proc/self/fd').length;
    const before = count();
    // What procfs does in each worker thread: opens its stat file and keeps it.
    const code = "const {openSync} = require('node:fs'); const {parentPort} = require('node:worker_threads'); globalThis.kept = openSync('/proc/thread-self/stat', 'r'); parentPort.postMessage('open'); setInterval(() => {}, 1000);";
    for (let round = 0; round < 20; round++) {
      const worker = new Worker(code, {eval: true});
      await new Promise((resolve) => worker.once('message', resolve));
      await worker.terminate();
    }
    expect(count()).toBeLessThanOrEqual(before);
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
