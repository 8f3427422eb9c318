import {formatDuration} from '../lib/duration.js';
import {formatSize} from '../lib/size.js';
import type {ConfigEntry, ServiceLogLine, ServiceSummary} from '../protocol/index.js';
import {splitInstance} from '../protocol/instances.js';
import {SERVICE_GLYPHS, serviceCommand} from './items.js';
import type {Paint, StyleName} from './style.js';
import {renderTable} from './table.js';

/** An instance's line (`api#2`) says which it is: `logs NS/NAME` interleaves them. */
export function renderServiceLogLine(line: ServiceLogLine, paint: Paint): string {
  const instance = splitInstance(line.name).instance;
  return renderLineText(line, instance === null ? '' : `${paint('cyan', `#${instance}`)} `, paint);
}

function renderLineText(line: ServiceLogLine, marker: string, paint: Paint): string {
  const text = line.stream === 'stderr' ? paint('yellow', line.line) : line.line;
  return `${paint('dim', line.time.slice(11, 23))} ${marker}${text}`;
}

/**
 * Where a line of several services' interleaved output comes from (`capsule logs NS`, like
 * `pm2 logs`): its label padded to `width`, in its service's colour.
 */
export function renderTaggedServiceLogLine(line: ServiceLogLine, tag: {label: string; width: number; colour: StyleName}, paint: Paint): string {
  // The label names the instance already.
  return `${paint(tag.colour, tag.label.padEnd(tag.width))} ${paint('dim', '|')} ${renderLineText(line, '', paint)}`;
}

/** Not yellow, which marks stderr lines, nor red, which marks failures. */
const SERVICE_COLOURS = ['cyan', 'magenta', 'blue', 'green', 'brightCyan', 'brightMagenta', 'brightBlue', 'brightGreen'] as const satisfies readonly StyleName[];

type ServiceName = {namespace: string; name: string};

/**
 * A colour for each of `services`, dealt in the order of their names: up to eight differ, and
 * each keeps its colour from one run to the next while the services stay the same. A service
 * not among them (one that starts later) gets one by a hash of its name.
 */
export function serviceColours(services: readonly ServiceName[]): (service: ServiceName) => StyleName {
  const key = (service: ServiceName) => `${service.namespace}/${service.name}`;
  const dealt = new Map([...new Set(services.map(key))].sort().map((name, index) => [name, SERVICE_COLOURS[index % SERVICE_COLOURS.length]!]));
  return (service) => dealt.get(key(service)) ?? SERVICE_COLOURS[hash(key(service)) % SERVICE_COLOURS.length]!;
}

/** FNV-1a with murmur3's finalizer, so that the low bits (which pick the colour) mix every character. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (const char of text) value = Math.imul(value ^ char.codePointAt(0)!, 0x01000193);
  value = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35);
  return (value ^ (value >>> 16)) >>> 0;
}

/** With a backend, a NODE column says which node supervises each (`capsule restart NS/NAME@NODE` acts there). */
export function renderServiceTable(services: (ServiceSummary & {namespace: string; node?: string})[], options: {width: number; paint: Paint}): string {
  if (services.length === 0) return 'no services';
  const nodes = services.some((service) => service.node !== undefined);
  const rows = services.map((service) => [
    `${service.namespace}/${service.name}`,
    ...(nodes ? [service.node ?? '-'] : []),
    `${SERVICE_GLYPHS[service.state][0]} ${service.state}`,
    service.health ?? '-',
    service.pid === null ? '-' : String(service.pid),
    service.uptimeMs === null ? '-' : formatDuration(service.uptimeMs),
    String(service.restarts),
    service.cpuPercent === null ? '-' : `${service.cpuPercent.toFixed(1)}%`,
    service.rssBytes === null ? '-' : formatSize(service.rssBytes),
    serviceCommand(service),
  ]);
  const table = renderTable(['SERVICE', ...(nodes ? ['NODE'] : []), 'STATE', 'HEALTH', 'PID', 'UPTIME', '↻', 'CPU', 'MEM', 'COMMAND'], rows, options);
  // Below the table rather than in a column: a reason is long, and most services have none.
  const reasons = services.filter((service) => service.reason !== null).map((service) => `${service.namespace}/${service.name}${service.node === undefined ? '' : `@${service.node}`} ${service.state}: ${service.reason}`);
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
