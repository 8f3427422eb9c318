import {isFinalRunStatus, type RunProgress, type RunRecord, type UnfinishedRunStatus} from '../../src/protocol/index.js';
import {compareStrings} from '../../src/lib/compare.js';

/** Runs the dashboard remembers; finished ones are forgotten first, oldest first. */
export const MAX_TRACKED_RUNS = 2000;


/**
 * How far along its lifecycle a record is: each attempt opens (running) and closes (queued
 * for a retry, or final). An event older than what is shown never moves a run backwards.
 */
function stage(run: RunRecord): number {
  if (isFinalRunStatus(run.status)) return Number.MAX_SAFE_INTEGER;
  const last = run.attempts.at(-1);
  const open = last !== undefined && last.finishedAt === null;
  return 2 * run.attempts.length - (open ? 1 : 0);
}

/** Applies a run record to a map the caller owns (a copy made for this reducer step). */
export function putRun(runs: Map<string, RunRecord>, run: RunRecord): boolean {
  const known = runs.get(run.id);
  if (known && stage(run) < stage(known)) return false;
  runs.set(run.id, run);
  return true;
}

/** Keeps the map within MAX_TRACKED_RUNS, with some slack so trimming is rare. */
export function trimRuns(runs: Map<string, RunRecord>): void {
  if (runs.size <= MAX_TRACKED_RUNS) return;
  const target = Math.floor(MAX_TRACKED_RUNS * 0.9);
  const oldestFirst = [...runs.values()].sort((a, b) => Number(isFinalRunStatus(b.status)) - Number(isFinalRunStatus(a.status)) || compareStrings(a.createdAt, b.createdAt));
  for (const run of oldestFirst) {
    if (runs.size <= target) break;
    runs.delete(run.id);
  }
}

export function putProgress(progress: Map<string, RunProgress>, runs: ReadonlyMap<string, RunRecord>, update: RunProgress): void {
  const run = runs.get(update.runId);
  if (run && isFinalRunStatus(run.status)) return;
  progress.set(update.runId, update);
  if (progress.size > MAX_TRACKED_RUNS) progress.delete(progress.keys().next().value!);
}

export interface TaskActivity extends Record<UnfinishedRunStatus, number> {
  latest: RunRecord | undefined;
}

/** Counts of the runs not final, by status, and the newest tracked run, per "ns/task". */
export function taskActivity(runs: ReadonlyMap<string, RunRecord>): Map<string, TaskActivity> {
  const activity = new Map<string, TaskActivity>();
  for (const run of runs.values()) {
    const key = `${run.namespace}/${run.task}`;
    let entry = activity.get(key);
    if (!entry) activity.set(key, (entry = {scheduled: 0, queued: 0, running: 0, sleeping: 0, waiting: 0, latest: undefined}));
    if (!isFinalRunStatus(run.status)) entry[run.status as UnfinishedRunStatus]++;
    if (!entry.latest || run.createdAt > entry.latest.createdAt) entry.latest = run;
  }
  return activity;
}

/** Newest first; `task` omitted: every task of the namespace. */
export function runsOf(runs: ReadonlyMap<string, RunRecord>, namespace: string, task?: string): RunRecord[] {
  const matching: RunRecord[] = [];
  for (const run of runs.values()) {
    if (run.namespace === namespace && (task === undefined || run.task === task)) matching.push(run);
  }
  return matching.sort((a, b) => compareStrings(b.createdAt, a.createdAt));
}

export function latestRun(runs: ReadonlyMap<string, RunRecord>, namespace: string, task: string): RunRecord | undefined {
  let latest: RunRecord | undefined;
  for (const run of runs.values()) {
    if (run.namespace === namespace && run.task === task && (!latest || run.createdAt > latest.createdAt)) latest = run;
  }
  return latest;
}
