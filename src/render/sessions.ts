import {formatDuration} from '../lib/duration.js';
import {formatSize} from '../lib/size.js';
import type {ExecutionResult, SessionSummary} from '../protocol/index.js';
import {relativeTime} from './items.js';
import type {Paint} from './style.js';

export function renderSessionTable(sessions: SessionSummary[], paint: Paint, now = Date.now()): string {
  if (sessions.length === 0) return paint('dim', 'no sessions; open one with `capsule session new`');
  const rows = sessions.map((session) => [
    session.id,
    session.state,
    session.isolation,
    session.project ?? '-',
    session.pid === null ? '-' : String(session.pid),
    session.rssBytes === null ? '-' : formatSize(session.rssBytes),
    String(session.executions),
    relativeTime(session.lastUsedAt, now),
    session.reason ?? '',
  ]);
  const header = ['ID', 'STATE', 'ISOLATION', 'PROJECT', 'PID', 'RSS', 'RUNS', 'LAST USED', ''];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [paint('dim', line(header)), ...rows.map(line)].join('\n');
}

export function renderSessionOpened(session: SessionSummary): string {
  const limits = [`ram ${formatSize(session.ramBytes ?? 0)}`, session.cpuMs === null ? null : `cpu ${formatDuration(session.cpuMs)} a snippet`, `idle timeout ${formatDuration(session.idleTimeoutMs)}`].filter((part) => part !== null);
  return `${session.id}  (${session.isolation}${session.project === null ? '' : `, project ${session.project}`}, pid ${session.pid}; ${limits.join(', ')})`;
}

/** A failed snippet as the terminal shows it: its stack (in the snippet's lines) or its message, and what became of the session. */
export function renderSnippetError(result: ExecutionResult, paint: Paint): string {
  const {error} = result;
  if (error === undefined) return '';
  const text = error.stack ?? `${error.name}: ${error.message}`;
  const lines = [paint('red', error.type === 'error' || error.type === 'syntax' ? text : `${error.type}: ${error.message}`)];
  if (result.replaced) lines.push(paint('yellow', `the session's process was replaced: names declared before are gone`));
  return lines.join('\n');
}
