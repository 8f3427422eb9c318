/**
 * Readers of Linux /proc for the figures Node does not give per thread or per child: CPU time
 * of one thread or process, resident memory, the CPU rlimit, and the processes there are with
 * their group, start time and environment. Each returns null where /proc is absent or the
 * process is gone, and the caller falls back or skips the check. They read synchronously: a
 * worker reads them between two steps of its own, the daemon on paths that are not per attempt.
 */
import {closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync} from 'node:fs';
import {endianness} from 'node:os';
import {parseProcStat, type ProcStat} from '../supervisor/proc-stat.js';

/** USER_HZ: the unit of utime/stime in /proc stat files; 100 on every Linux architecture Node supports. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a /proc stat line, in ms. The command name is parenthesised and may hold spaces, so fields are counted after the last ")". */
export function parseStatCpuMs(stat: string): number | null {
  // After the name: state is field 3 of stat(5), so utime (14) and stime (15) are the 12th and
  // 13th after it. Found by scanning, not split(): this runs at the end of every attempt.
  let start = stat.lastIndexOf(')') + 2;
  for (let field = 0; field < 11 && start > 0; field++) start = stat.indexOf(' ', start) + 1;
  const middle = stat.indexOf(' ', start);
  const end = stat.indexOf(' ', middle + 1);
  if (start <= 0 || middle === -1) return null;
  const ticks = Number(stat.slice(start, middle)) + Number(stat.slice(middle + 1, end === -1 ? undefined : end));
  return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : null;
}

/** VmRSS of a /proc status file, in bytes. */
export function parseStatusRssBytes(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match === null ? null : Number(match[1]) * 1024;
}

/** Soft "Max cpu time" of a /proc limits file, in seconds; null when unlimited. */
export function parseCpuSoftLimitSeconds(limits: string): number | null {
  const match = /^Max cpu time\s+(\S+)/m.exec(limits);
  return match === null || match[1] === 'unlimited' ? null : Number(match[1]);
}

export function readCpuMs(pid: number, tid?: number): number | null {
  const stat = readProcFile(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`);
  return stat === null ? null : parseStatCpuMs(stat);
}

export function readRssBytes(pid: number): number | null {
  const status = readProcFile(`/proc/${pid}/status`);
  return status === null ? null : parseStatusRssBytes(status);
}

/**
 * The calling thread's stat file, opened once and read again from offset 0 (the kernel renders it
 * afresh on each read from the start): an attempt ends with this read, and opening and closing
 * the file cost more than the read itself. Each worker thread has its own copy of this module,
 * so the descriptor is that thread's; a thread that ends takes it along (test/daemon/worker/procfs.test.ts).
 */
let ownStat: number | null | undefined;

/** CPU time of the calling thread, in ms. */
export function readOwnThreadCpuMs(): number | null {
  if (ownStat === undefined) {
    try {
      ownStat = openSync('/proc/thread-self/stat', 'r');
    } catch {
      ownStat = null;
    }
  }
  if (ownStat === null) return null;
  let length: number;
  try {
    length = readSync(ownStat, procBuffer, 0, procBuffer.length, 0);
  } catch {
    return null;
  }
  return parseStatCpuMs(procBuffer.toString('latin1', 0, length));
}

let ownThreadId: number | null | undefined;

/** Kernel id of the calling thread: /proc/thread-self links to "PID/task/TID". Read once: a thread keeps its id, and each worker thread has its own copy of this module. */
export function readOwnThreadId(): number | null {
  if (ownThreadId !== undefined) return ownThreadId;
  try {
    ownThreadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    ownThreadId = null;
  }
  return ownThreadId;
}

export function readOwnCpuSoftLimitSeconds(): number | null {
  const limits = readProcFile('/proc/self/limits');
  return limits === null ? null : parseCpuSoftLimitSeconds(limits);
}

/** State, group and start time of a process (see supervisor/proc-stat.ts); null when it is gone. */
export function readStat(pid: number): ProcStat | null {
  const stat = readProcFile(`/proc/${pid}/stat`);
  return stat === null ? null : parseProcStat(stat);
}

/** The environment a process was started with, "NAME=value" entries each ended by a NUL; null when it is gone or another user's. */
export function readEnviron(pid: number): string | null {
  return readProcFile(`/proc/${pid}/environ`);
}

/** The pid of every process there is now; empty without /proc. */
export function listPids(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}

/**
 * How many processes descend from `pid`, counting up to `atMost` (a fork bomb is not walked to
 * its end), from each of its threads' `children` files; null without them (a kernel built
 * without CONFIG_PROC_CHILDREN).
 */
export function countDescendants(pid: number, atMost: number): number | null {
  let count = 0;
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined && count <= atMost; next = pending.pop()) {
    let threads: string[];
    try {
      threads = readdirSync(`/proc/${next}/task`);
    } catch {
      continue;
    }
    for (const thread of threads) {
      const children = readProcFile(`/proc/${next}/task/${thread}/children`);
      if (children === null) return next === pid ? null : count;
      for (const child of children.split(' ')) {
        if (child === '' || child === '\n') continue;
        count++;
        pending.push(Number(child));
      }
    }
  }
  return count;
}

/** AT_PAGESZ: the auxiliary vector's entry for the page size. */
const AT_PAGESZ = 6n;

/**
 * The kernel's page size, the unit of rss in /proc stat files: from this process's auxiliary
 * vector (pairs of 64-bit words on the 64-bit little-endian machines Node mostly runs on), 4 KiB
 * where it cannot be read so.
 */
function readPageBytes(): number {
  const auxv = endianness() === 'LE' && process.arch.endsWith('64') ? readProcBytes('/proc/self/auxv') : null;
  for (let offset = 0; auxv !== null && offset + 16 <= auxv.length; offset += 16) {
    if (auxv.readBigUInt64LE(offset) !== AT_PAGESZ) continue;
    const bytes = Number(auxv.readBigUInt64LE(offset + 8));
    if (bytes >= 4096 && (bytes & (bytes - 1)) === 0) return bytes;
  }
  return 4096;
}

let pageBytesRead: number | undefined;

/** Read once, when first asked: worker threads load this module too, and most never ask. */
export function pageBytes(): number {
  pageBytesRead ??= readPageBytes();
  return pageBytesRead;
}

/** Processes read between two turns of the event loop: a pass over thousands yields to requests in between. */
const PASS_SLICE = 200;

/**
 * Every live (non-zombie) process; null without /proc. Each file is read synchronously (with a
 * promise per file, a pass over 460 processes cost 69 ms of CPU, against 10 ms so), a slice at a
 * time, so that the supervisor's passes (resource sampling, stopping groups) stay cheap with
 * hundreds of services and still never hold the event loop for long.
 */
export async function listProcesses(): Promise<ProcStat[] | null> {
  const pids = listPids();
  // This very process is in /proc: none at all means there is no /proc.
  if (pids.length === 0) return null;
  const processes: ProcStat[] = [];
  for (let index = 0; index < pids.length; index++) {
    if (index > 0 && index % PASS_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    const stat = readStat(pids[index]!);
    if (stat !== null && stat.state !== 'Z') processes.push(stat);
  }
  return processes;
}

// /proc files report a size of 0, so readFileSync reads them through growing buffers: three
// times slower than one read into a buffer kept for the purpose, and these are read per attempt.
const procBuffer = Buffer.allocUnsafe(8192);

function readProcFile(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const length = readSync(fd, procBuffer, 0, procBuffer.length, 0);
    return length < procBuffer.length ? procBuffer.toString('latin1', 0, length) : readFileSync(path, 'latin1');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function readProcBytes(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}
