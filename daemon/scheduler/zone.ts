/**
 * Time-zone arithmetic for cron fires. Cron fields describe a wall clock; a "wall time" here
 * is that wall clock written as if it were UTC (epoch ms), so plain arithmetic works on it.
 * Offsets come from Intl, which knows the IANA database Node ships with.
 */

const DAY_MS = 86_400_000;

/** Formatters are costly to build and a schedule asks for offsets on every fire. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's UTC offset (ms, local = instant + offset) at `instant`. */
export function offsetAt(zone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const fields: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(whole)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
  return asUtc - whole;
}

export function wallTimeOf(zone: string, instant: number): number {
  return instant + offsetAt(zone, instant);
}

/**
 * How a wall time maps onto instants: `regular` has one instant; `repeated` (a fall-back
 * hour) has two; `gap` (a spring-forward hour) has none, and `instants` then holds the
 * wall time moved forward by the length of the gap, which is where such a fire happens.
 */
export interface WallMapping {
  kind: 'regular' | 'repeated' | 'gap';
  instants: number[];
  /** Offsets in force a day before and a day after: they straddle any transition near the wall time. */
  offsetBefore: number;
  offsetAfter: number;
}

export function instantsOfWallTime(zone: string, wall: number): WallMapping {
  const offsetBefore = offsetAt(zone, wall - DAY_MS);
  const offsetAfter = offsetAt(zone, wall + DAY_MS);
  if (offsetBefore === offsetAfter) return {kind: 'regular', instants: [wall - offsetBefore], offsetBefore, offsetAfter};
  const instants = [...new Set([wall - offsetBefore, wall - offsetAfter])]
    .filter((instant) => wallTimeOf(zone, instant) === wall)
    .sort((a, b) => a - b);
  if (instants.length === 0) return {kind: 'gap', instants: [wall - offsetBefore], offsetBefore, offsetAfter};
  return {kind: instants.length === 2 ? 'repeated' : 'regular', instants, offsetBefore, offsetAfter};
}

/**
 * The first whole second in (`from`, `to`] whose offset equals the offset at `to`, given that
 * the offsets at the two ends differ: the instant of the transition between them.
 */
export function transitionBetween(zone: string, from: number, to: number): number {
  const target = offsetAt(zone, to);
  let low = Math.floor(from / 1000);
  let high = Math.ceil(to / 1000);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(zone, middle * 1000) === target) high = middle;
    else low = middle;
  }
  return high * 1000;
}

/** The last answer of machineZone, and the TZ it was given under: V8 reads the zone again only when TZ changes. */
let machine: {tz: string | undefined; zone: string} | null = null;

/** The zone a schedule without `timezone` runs in: the machine's. Building the formatter that says it costs more than a fire's offsets. */
export function machineZone(): string {
  const tz = process.env.TZ;
  if (machine === null || machine.tz !== tz) machine = {tz, zone: new Intl.DateTimeFormat().resolvedOptions().timeZone};
  return machine.zone;
}

