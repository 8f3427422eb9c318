import type {RunRecord, ServerEvent} from '../../src/protocol/index.js';

/** Lines the log pane keeps for its target; older ones are dropped. */
export const MAX_LOG_LINES = 500;

/** Whose log the bottom pane shows: one run, a task's latest run, a service, or a code session (its snippets' output, live only: the daemon keeps none). */
export type LogTarget = {kind: 'run'; runId: string} | {kind: 'task'; namespace: string; task: string} | {kind: 'service'; namespace: string; name: string} | {kind: 'session'; id: string};

export type LogTone = 'warn' | 'error' | 'stderr' | 'action';

export interface LogLine {
  /** Increases by one per line received, so a scrolled view stays put while lines arrive. */
  n: number;
  /** Identifies a line across the fetched tail and live events (by its seq), to drop duplicates. */
  key: string;
  time: string;
  text: string;
  tone: LogTone | null;
}

export interface LogState {
  target: LogTarget | null;
  /** The run whose lines are shown: the target's run, or a task's latest run once known. */
  runId: string | null;
  lines: LogLine[];
  nextN: number;
  /** Waiting for the tail of the target's log. */
  loading: boolean;
  /** Why the tail could not be fetched. */
  error: string | null;
}

export const EMPTY_LOG: LogState = {target: null, runId: null, lines: [], nextN: 0, loading: false, error: null};

/** A target as a string, equal for the same target: what effects and resets key on. */
export function logTargetKey(target: LogTarget | null): string | null {
  return target === null ? null : JSON.stringify(target);
}

export function sameTarget(a: LogTarget | null, b: LogTarget | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'run' && b.kind === 'run') return a.runId === b.runId;
  if (a.kind === 'task' && b.kind === 'task') return a.namespace === b.namespace && a.task === b.task;
  if (a.kind === 'service' && b.kind === 'service') return a.namespace === b.namespace && a.name === b.name;
  if (a.kind === 'session' && b.kind === 'session') return a.id === b.id;
  return false;
}

export function retarget(log: LogState, target: LogTarget | null): LogState {
  if (sameTarget(log.target, target)) return log;
  return {target, runId: target?.kind === 'run' ? target.runId : null, lines: [], nextN: log.nextN, loading: target !== null, error: null};
}

/** A fetched tail: its lines first, then the live lines that arrived meanwhile and are not in it. */
export function applyTail(log: LogState, target: LogTarget, runId: string | null, tail: ServerEvent[], error: string | null = null): LogState {
  if (!sameTarget(log.target, target)) return log;
  if (error !== null) return {...log, loading: false, error};
  // A newer run of the task started while the tail was on its way: its lines win.
  if (log.runId !== null && runId !== null && runId !== log.runId) return {...log, loading: false};
  const fresh = {...log, runId: log.runId ?? runId, lines: [], loading: false, error: null};
  const withTail = appendLines(fresh, tail.flatMap((line) => toLines(line)));
  const seen = new Set(withTail.lines.map((line) => line.key));
  return appendLines(withTail, log.lines.filter((line) => !seen.has(line.key)));
}

/** Live log events: only the target's lines are kept. */
export function appendEvents(log: LogState, events: ServerEvent[]): LogState {
  if (log.target === null || events.length === 0) return log;
  const matching = events.filter((event) => belongsTo(log, event));
  if (matching.length === 0) return log;
  return appendLines(log, matching.flatMap((event) => toLines(event)));
}

/** A task's log follows its newest run: a run newer than the one shown takes over the pane. */
export function followRun(log: LogState, run: RunRecord, shown: RunRecord | undefined): LogState {
  const target = log.target;
  if (target?.kind !== 'task' || run.namespace !== target.namespace || run.task !== target.task || run.id === log.runId) return log;
  const newer = shown ? run.createdAt > shown.createdAt : run.status === 'queued' || run.status === 'running';
  return newer ? {...log, runId: run.id, lines: []} : log;
}

function belongsTo(log: LogState, {event, data}: ServerEvent): boolean {
  const target = log.target!;
  if (event === 'run.log') return data.runId === (log.runId ?? (target.kind === 'run' ? target.runId : null));
  if (event === 'session.output') return target.kind === 'session' && data.session === target.id;
  if (target.kind !== 'service' || (event !== 'service.log' && event !== 'action.output')) return false;
  return data.namespace === target.namespace && data.name === target.name;
}

function appendLines(log: LogState, lines: Omit<LogLine, 'n'>[]): LogState {
  if (lines.length === 0) return log;
  let n = log.nextN;
  const merged = log.lines.concat(lines.map((line) => ({...line, n: n++})));
  return {...log, lines: merged.length > MAX_LOG_LINES ? merged.slice(-MAX_LOG_LINES) : merged, nextN: n};
}

function toLines({event, data}: ServerEvent): Omit<LogLine, 'n'>[] {
  if (event === 'run.log') {
    const line = data;
    const tone = line.level === 'error' ? 'error' : line.level === 'warn' ? 'warn' : null;
    return split(`${line.runId}|${line.seq}`, line.time, line.message, tone);
  }
  if (event === 'service.log') {
    const line = data;
    // A line stored before lines were numbered has seq 0: only its content tells it apart.
    return split(line.seq > 0 ? `${line.namespace}/${line.name}|${line.seq}` : `${line.stream}|${line.time}|${line.line}`, line.time, line.line, line.stream === 'stderr' ? 'stderr' : null);
  }
  if (event === 'session.output') return split(`session|${data.execution}`, '', data.text.replace(/\n$/, ''), data.stream === 'stderr' ? 'stderr' : null);
  if (event !== 'action.output') return [];
  const chunk = data;
  return split(`action|${chunk.action}|${chunk.chunk}`, '', `[${chunk.action}] ${chunk.chunk.replace(/\n$/, '')}`, 'action');
}

function split(key: string, time: string, text: string, tone: LogTone | null): Omit<LogLine, 'n'>[] {
  return text.split('\n').map((part, index) => ({key: `${key}#${index}`, time, text: part, tone}));
}

/** The lines containing `search` (case-insensitive); all of them when it is empty. */
export function searchLines(lines: LogLine[], search: string): LogLine[] {
  if (search === '') return lines;
  const needle = search.toLowerCase();
  return lines.filter((line) => line.text.toLowerCase().includes(needle));
}
