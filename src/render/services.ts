import {formatDuration} from '../lib/duration.js';
import {formatSize} from '../lib/size.js';
import type {ConfigEntry, ServiceLogLine, ServiceSummary} from '../protocol/index.js';
import {splitInstance} from '../protocol/instances.js';
import {SERVICE_GLYPHS} from './items.js';
import type {Paint} from './style.js';
import {renderTable} from './table.js';

/** An instance's line (`api#2`) says which it is: `logs NS/NAME` interleaves them. */
export function renderServiceLogLine(line: ServiceLogLine, paint: Paint): string {
  const text = line.stream === 'stderr' ? paint('yellow', line.line) : line.line;
  const instance = splitInstance(line.name).instance;
  return `${paint('dim', line.time.slice(11, 23))} ${instance === null ? '' : `${paint('cyan', `#${instance}`)} `}${text}`;
}

export function renderServiceTable(services: (ServiceSummary & {namespace: string})[], options: {width: number; paint: Paint}): string {
  if (services.length === 0) return 'no services';
  const rows = services.map((service) => [
    `${service.namespace}/${service.name}`,
    `${SERVICE_GLYPHS[service.state][0]} ${service.state}`,
    service.health ?? '-',
    service.pid === null ? '-' : String(service.pid),
    service.uptimeMs === null ? '-' : formatDuration(service.uptimeMs),
    String(service.restarts),
    service.cpuPercent === null ? '-' : `${service.cpuPercent.toFixed(1)}%`,
    service.rssBytes === null ? '-' : formatSize(service.rssBytes),
    Array.isArray(service.command) ? service.command.join(' ') : service.command,
  ]);
  const table = renderTable(['SERVICE', 'STATE', 'HEALTH', 'PID', 'UPTIME', '↻', 'CPU', 'MEM', 'COMMAND'], rows, options);
  // Below the table rather than in a column: a reason is long, and most services have none.
  const reasons = services.filter((service) => service.reason !== null).map((service) => `${service.namespace}/${service.name} ${service.state}: ${service.reason}`);
  return reasons.length === 0 ? table : `${table}\n\n${reasons.join('\n')}`;
}

export function renderConfigEntries(entries: ConfigEntry[], options: {width: number; paint: Paint}): string {
  if (entries.length === 0) return 'this service declares no configuration keys';
  const rows = entries.map((entry) => [entry.key, entry.type, formatValue(entry.value), entry.overridden ? 'set' : 'default', entry.description ?? '']);
  return renderTable(['KEY', 'TYPE', 'VALUE', 'SOURCE', 'DESCRIPTION'], rows, options);
}

export function formatValue(value: ConfigEntry['value']): string {
  return value === null ? '-' : typeof value === 'string' ? value : JSON.stringify(value);
}
