/**
 * Process facts from Linux's /proc: start times (to recognise a process after a daemon
 * restart), process-group membership, CPU ticks and RSS. Elsewhere these read as unknown.
 */
import {readFile} from 'node:fs/promises';

/** USER_HZ: the unit of /proc CPU times and start times; 100 on every mainstream Linux build. */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie), T ... */
  state: string;
  pgrp: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Clock ticks after boot at which the process started. */
  startTime: number;
  /** Resident set, in pages (of procfs.ts's pageBytes() each). */
  rssPages: number;
}

/** Parses /proc/PID/stat; the command name may hold spaces and parentheses, so fields are counted after the last ")". */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close === -1) return null;
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const pid = Number.parseInt(text, 10);
  // fields[0] is field 3 of proc(5): state, pgrp is 5, utime 14, stime 15, starttime 22, rss 24.
  const [state, pgrp, utime, stime, startTime, rss] = [fields[0], fields[2], fields[11], fields[12], fields[19], fields[21]];
  if (!state || pgrp === undefined || utime === undefined || stime === undefined || startTime === undefined) return null;
  return {pid, state, pgrp: Number(pgrp), cpuTicks: Number(utime) + Number(stime), startTime: Number(startTime), rssPages: Number(rss ?? 0)};
}

export async function readProcStat(pid: number): Promise<ProcStat | null> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** The start time of a live process; null when it is gone, a zombie, or /proc cannot tell. */
export async function liveStartTime(pid: number): Promise<number | null> {
  const stat = await readProcStat(pid);
  return stat && stat.state !== 'Z' ? stat.startTime : null;
}
