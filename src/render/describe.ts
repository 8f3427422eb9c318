import type {Description} from '../client/describe.js';
import {formatDuration} from '../lib/duration.js';
import {formatSize} from '../lib/size.js';
import type {AuditEvent, ProjectService, RunRecord} from '../protocol/index.js';
import {RUN_GLYPHS, describeRemote, relativeTime} from './items.js';
import {formatValue} from './services.js';
import type {Paint} from './style.js';

type Row = [key: string, value: string];

/** Key/value lines, keys aligned in one column, as `pm2 describe` lays them out. */
function rows(list: Row[], paint: Paint): string[] {
  const width = Math.max(...list.map(([key]) => key.length)) + 2;
  return list.map(([key, value]) => `${paint('dim', key.padEnd(width))}${value}`);
}

function section(title: string, lines: string[], paint: Paint): string[] {
  return lines.length === 0 ? [] : ['', paint('bold', title), ...lines.map((line) => `  ${line}`)];
}

function commandText(command: string[] | string): string {
  return typeof command === 'string' ? command : command.map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part))).join(' ');
}

function eventLines(events: AuditEvent[], paint: Paint, now: number): string[] {
  return events.map((event) => `${paint('dim', relativeTime(event.time, now).padEnd(9))} ${event.kind}${event.actor === 'capsule' ? '' : ` by ${event.actor}`}`);
}

function runLines(runs: RunRecord[], paint: Paint, now: number): string[] {
  return runs.map((run) => {
    const [glyph, tone] = RUN_GLYPHS[run.status];
    return `${paint(tone, glyph)} ${run.id}  ${run.status.padEnd(9)} ${relativeTime(run.createdAt, now).padEnd(9)} ${run.durationMs === null ? '' : formatDuration(run.durationMs)}`.trimEnd();
  });
}

function instanceLine(unit: ProjectService): string {
  const facts = [unit.state, unit.pid === null ? null : `pid ${unit.pid}`, unit.uptimeMs === null ? null : `up ${formatDuration(unit.uptimeMs)}`, `${unit.restarts} restart${unit.restarts === 1 ? '' : 's'}`];
  if (unit.health !== null) facts.push(`health ${unit.health}`);
  if (unit.rssBytes !== null) facts.push(formatSize(unit.rssBytes));
  if (unit.reason !== null) facts.push(unit.reason);
  return facts.filter((fact) => fact !== null).join(', ');
}

export function renderDescription(description: Description, paint: Paint, now = Date.now()): string {
  const lines = [paint('bold', `${description.target}  (${description.kind})`)];
  if (description.kind === 'service') {
    const {service} = description;
    const first = service.instances[0];
    const remote = first?.remote ?? null;
    // A remote service has no command, cwd, env or stop of the daemon's: where its agent is stands in for them.
    const list: Row[] = remote
      ? [
          ['state', instanceLine(first!)],
          ['remote', describeRemote(remote, now)],
        ]
      : [
          ['state', first ? instanceLine(first) : '-'],
          ['instances', String(service.instances.length)],
          ['command', commandText(service.command)],
          ['cwd', service.cwd],
          ['env', service.envKeys.length === 0 ? '-' : `${service.envKeys.join(', ')} (values not shown)`],
        ];
    if (service.envFile !== null) list.push(['env file', service.envFile]);
    if (!remote) {
      list.push(
        ['restart', `${service.restart} (at most ${service.maxRestarts} in ${formatDuration(service.restartWindowMs)})`],
        ['stop', `${service.stopSignal}, then SIGKILL after ${formatDuration(service.stopTimeoutMs)}`],
      );
    }
    list.push(
      ['health', service.health === null ? '-' : `${service.health.probe} every ${formatDuration(service.health.intervalMs)} (timeout ${formatDuration(service.health.timeoutMs)}, unhealthy after ${service.health.failureThreshold} failures)`],
      ['last health', first?.health ?? '-'],
      ['depends on', service.dependsOn.length === 0 ? '-' : service.dependsOn.map((dependency) => `${dependency.name} (${dependency.condition})`).join(', ')],
    );
    if (service.port !== null) list.push(['port', String(service.port)]);
    if (service.maxMemoryBytes !== null) list.push(['max memory', formatSize(service.maxMemoryBytes)]);
    if (first?.lastExit) list.push(['last exit', `${first.lastExit.signal ?? `code ${first.lastExit.code}`} ${relativeTime(first.lastExit.at, now)}`]);
    list.push(['declared in', `${service.file}${service.adhoc ? ' (ad-hoc: capsule start --name / capsule delete)' : ''}`]);
    list.push(['logs', service.logFiles.join(', ') || '-']);
    lines.push(...rows(list, paint));
    if (service.instances.length > 1) lines.push(...section('instances', service.instances.map((unit) => `${unit.name.padEnd(10)} ${instanceLine(unit)}`), paint));
    lines.push(...section('config', service.config.map((entry) => `${entry.key} = ${formatValue(entry.value)}${entry.overridden ? ' (set)' : ''}`), paint));
  } else if (description.kind === 'task') {
    const {task, schedules, counts} = description;
    lines.push(
      ...rows(
        [
          ['file', task.file],
          ['isolation', task.isolation],
          ['limits', `ram ${formatSize(task.ramBytes)}, timeout ${formatDuration(task.timeoutMs)}, cpu ${formatDuration(task.computeMs)}`],
          ['retries', String(task.maxRetries)],
          ['concurrency', task.concurrency === null ? 'unlimited' : String(task.concurrency)],
          ['lock', task.lock ?? '-'],
          ['schedules', schedules.length === 0 ? '-' : schedules.map((schedule) => `${schedule.name} (${schedule.cron}${schedule.paused ? ', paused' : ''})`).join(', ')],
          ['now', `${task.running} running, ${task.queued} queued, ${task.scheduled} scheduled, ${task.sleeping + task.waiting} waiting`],
          ['runs', description.countedRuns === 0 ? 'none kept' : Object.entries(counts).map(([status, count]) => `${count} ${status}`).join(', ')],
        ],
        paint,
      ),
    );
    lines.push(...section('recent runs', runLines(description.runs, paint, now), paint));
  } else {
    const {schedule} = description;
    lines.push(
      ...rows(
        [
          ['task', `${schedule.namespace}/${schedule.task}`],
          ['cron', schedule.cron],
          ['timezone', schedule.timezone],
          ['state', schedule.paused ? 'paused' : schedule.enabled ? 'active' : 'disabled'],
          ['overlap', schedule.overlap],
          ['catch up', schedule.catchUp],
          ['declared', schedule.source === 'config' ? 'in capsule.toml' : 'in task()'],
          ['next fires', description.nextFires.length === 0 ? '-' : description.nextFires.join(', ')],
          ['last fire', schedule.lastFireAt ?? '-'],
          ['last run', schedule.lastRun ? `${schedule.lastRun.id} ${schedule.lastRun.status}` : '-'],
          ['skipped', String(schedule.skipped)],
        ],
        paint,
      ),
    );
    lines.push(...section('recent runs', runLines(description.runs, paint, now), paint));
  }
  lines.push(...section('recent events', eventLines(description.events, paint, now), paint));
  return lines.join('\n');
}

/** One line for `capsule start --name`: what was started, and under which name when none was given. */
export function renderAdhocStarted(name: string, result: {created: boolean; services: ProjectService[]}, derivedName: boolean): string {
  const each = result.services.map((unit) => `${unit.state}${unit.pid === null ? '' : `, pid ${unit.pid}`}`).join('; ');
  const named = derivedName ? ` (named after the command; choose a name with --name)` : '';
  return `${result.created ? 'created and started' : 'started'} adhoc/${name}${each ? ` (${each})` : ''}${named}`;
}
