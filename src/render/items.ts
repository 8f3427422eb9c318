import {formatDuration} from '../lib/duration.js';
import {formatSize} from '../lib/size.js';
import type {RemoteServiceStatus, RunStatus, ScheduleSummary, ServiceState, ServiceSummary, SessionState, SessionSummary, TaskSummary} from '../protocol/index.js';
import type {StyleName} from './style.js';

/** One tree/table line for a task, schedule or service: a status glyph, its tone and short facts. */
export interface ItemLine {
  label: string;
  glyph: string;
  tone: StyleName | null;
  facts: string[];
}

export const RUN_GLYPHS: Record<RunStatus, [string, StyleName]> = {
  scheduled: ['◷', 'gray'],
  queued: ['◌', 'yellow'],
  running: ['●', 'blue'],
  sleeping: ['☾', 'cyan'],
  waiting: ['?', 'magenta'],
  succeeded: ['✓', 'green'],
  failed: ['✗', 'red'],
  cancelled: ['⊘', 'gray'],
};

export const SERVICE_GLYPHS: Record<ServiceState, [string, StyleName]> = {
  starting: ['◌', 'yellow'],
  running: ['●', 'green'],
  healthy: ['●', 'green'],
  unhealthy: ['●', 'red'],
  lost: ['◌', 'red'],
  backoff: ['↻', 'yellow'],
  stopping: ['◌', 'gray'],
  stopped: ['○', 'gray'],
  exited: ['○', 'gray'],
  failed: ['✗', 'red'],
};

export const SESSION_GLYPHS: Record<SessionState, [string, StyleName]> = {
  idle: ['○', 'green'],
  busy: ['●', 'blue'],
  lost: ['◌', 'red'],
  closed: ['○', 'gray'],
};

/** "3m ago" / "in 3h 12m" relative to `now`. */
export function relativeTime(iso: string, now: number): string {
  const delta = Date.parse(iso) - now;
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

export function describeTask(task: TaskSummary, now = Date.now()): ItemLine {
  const [glyph, tone] = task.running > 0 ? RUN_GLYPHS.running : task.lastRun ? RUN_GLYPHS[task.lastRun.status] : (['○', 'gray'] as [string, StyleName]);
  const facts = [`${formatSize(task.ramBytes)} · ${formatDuration(task.timeoutMs)} · cpu ${formatDuration(task.computeMs)}${task.maxRetries ? ` · retries ${task.maxRetries}` : ''}${task.isolation === 'thread' ? '' : ` · ${task.isolation}`}`];
  const live: string[] = task.running || task.queued ? [`${task.running} running${task.queued ? `, ${task.queued} queued` : ''}`] : [];
  // Runs that hold no worker: delayed, or paused at a durable sleep, wait or prompt.
  for (const status of ['scheduled', 'sleeping', 'waiting'] as const) if (task[status] > 0) live.push(`${task[status]} ${status}`);
  if (live.length > 0) facts.push(live.join(', '));
  if (task.lastRun) facts.push(`last ${task.lastRun.status} ${relativeTime(task.lastRun.finishedAt ?? task.lastRun.createdAt, now)}`);
  if (task.lock) facts.push(`lock ${task.lock}`);
  return {label: task.name, glyph, tone, facts};
}

export function describeSchedule(schedule: ScheduleSummary, now = Date.now()): ItemLine {
  const paused = schedule.paused || !schedule.enabled;
  const facts = [`${schedule.cron} ${schedule.timezone}`, `→ ${schedule.task}`];
  facts.push(paused ? (schedule.enabled ? 'paused' : 'disabled') : schedule.nextFireAt ? `next ${relativeTime(schedule.nextFireAt, now)}` : 'no next fire');
  if (schedule.lastRun) facts.push(`last ${schedule.lastRun.status}${schedule.lastFireAt ? ` ${relativeTime(schedule.lastFireAt, now)}` : ''}`);
  if (schedule.skipped) facts.push(`${schedule.skipped} skipped`);
  return {label: schedule.name, glyph: paused ? '⏸' : '◷', tone: paused ? 'gray' : 'magenta', facts};
}

/** Where a remote service's agent is: "remote · 203.0.113.7 · v1.4 · beat 2s ago", or why it is not. */
export function describeRemote(remote: RemoteServiceStatus, now = Date.now()): string {
  if (remote.address === null) return 'remote · no agent has connected yet';
  const version = remote.version === null ? '' : ` · v${remote.version}`;
  const from = remote.host === null || remote.host === remote.address ? remote.address : `${remote.host} (${remote.address})`;
  if (!remote.connected) return `remote · disconnected · last from ${from}${version}`;
  const beat = remote.lastHeartbeatAt === null ? '' : ` · beat ${relativeTime(remote.lastHeartbeatAt, now)}`;
  return `remote · ${from}${version}${beat}`;
}

/** The command a service runs, or where a remote one is. */
export function serviceCommand(service: ServiceSummary, now = Date.now()): string {
  if (service.remote !== null) return describeRemote(service.remote, now);
  return Array.isArray(service.command) ? service.command.join(' ') : service.command;
}

export function describeService(service: ServiceSummary): ItemLine {
  const [glyph, tone] = SERVICE_GLYPHS[service.state];
  const facts: string[] = [service.health && service.health !== 'unknown' ? service.health : service.state];
  if (service.pid !== null) facts.push(`pid ${service.pid}`);
  if (service.uptimeMs !== null) facts.push(`up ${formatDuration(service.uptimeMs)}`);
  facts.push(`↻ ${service.restarts}`);
  if (service.cpuPercent !== null) facts.push(`${service.cpuPercent.toFixed(1)}%`);
  if (service.rssBytes !== null) facts.push(formatSize(service.rssBytes));
  if (service.lastExit && (service.state === 'exited' || service.state === 'failed' || service.state === 'backoff')) {
    facts.push(`exit ${service.lastExit.signal ?? service.lastExit.code}`);
  }
  if (service.remote !== null) facts.push(describeRemote(service.remote));
  if (service.reason !== null) facts.push(service.reason);
  return {label: service.name, glyph, tone, facts};
}

/** A code session's line: what it is for, how much it did, when it was last used, and why it is lost. */
export function describeSession(session: SessionSummary, now = Date.now()): ItemLine {
  const [glyph, tone] = SESSION_GLYPHS[session.state];
  const facts = [session.state, session.project ?? 'no project'];
  if (session.isolation !== 'process') facts.push(session.isolation);
  facts.push(`${session.executions} snippet${session.executions === 1 ? '' : 's'}`);
  if (session.rssBytes !== null) facts.push(formatSize(session.rssBytes));
  facts.push(`used ${relativeTime(session.lastUsedAt, now)}`);
  if (session.replacements > 0) facts.push(`replaced ${session.replacements}×`);
  if (session.reason !== null) facts.push(session.reason);
  return {label: session.id, glyph, tone, facts};
}
