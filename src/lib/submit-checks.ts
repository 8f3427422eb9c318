/**
 * The rules of a submit's options that the CLI, the client and the daemon all apply, each with
 * its own names for them (`--in`, `delay`, `delayMs`), so every side's message names what its
 * caller typed. The daemon applies them again: it trusts no client.
 */
import {RUN_PRIORITY} from '../protocol/vocabulary.js';
import {formatDuration, parseDuration} from './duration.js';
import {CapsuleError} from './errors.js';

/** How far ahead a run can be delayed: a year (a leap one). Further is surely a mistake (a year typed wrong). */
export const MAX_RUN_DELAY_MS = 366 * 86_400_000;

/** What the caller calls the two ways to delay a run (`delayMs`/`runAt` on the wire, `--in`/`--at` in the CLI), for its messages. */
export interface StartTimeNames {
  delay: string;
  runAt: string;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const INSTANT_EXAMPLE = '2026-12-02T03:00 (local time) or 2026-12-02T03:00:00+01:00';

/**
 * Parses a date and time, ISO 8601 style: with an offset (`Z`, `+01:00`) it is that instant,
 * without one it is local time. A date alone is refused (JavaScript would read it as UTC midnight).
 */
export function parseInstant(text: string, name: string): number {
  const match = INSTANT.exec(text.trim());
  const invalid = () => new CapsuleError('bad_input', `${name}: expected a date and time like ${INSTANT_EXAMPLE}, got ${JSON.stringify(text)}`);
  if (!match) throw invalid();
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const ms = Number((match[7] ?? '').padEnd(3, '0'));
  const offset = match[8];
  if (hour > 23 || minute > 59 || second > 59) throw invalid();
  // Built from its fields, then checked against them: Date rolls 2026-02-30 over to March.
  const built = offset === undefined ? new Date(year, month - 1, day, hour, minute, second, ms) : new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  const utc = offset !== undefined;
  const date = utc ? [built.getUTCFullYear(), built.getUTCMonth(), built.getUTCDate()] : [built.getFullYear(), built.getMonth(), built.getDate()];
  if (date[0] !== year || date[1] !== month - 1 || date[2] !== day) throw invalid();
  if (offset === undefined || /^z$/i.test(offset)) return built.getTime();
  const digits = offset.slice(1).replace(':', '');
  const offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  return built.getTime() - offsetMinutes * 60_000;
}

/** Parses a delay such as "90s", "10m" or "2h" (a bare number is milliseconds); the error names the option. */
export function parseDelay(value: string | number, name: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new CapsuleError('bad_input', `${name}: expected a duration like 90s, 10m or 2h, got ${JSON.stringify(value)}`);
  }
}

/**
 * When a delayed run is queued (ms since the epoch), from a delay or an instant, or null for at
 * once. Refuses both at once, and a start more than MAX_RUN_DELAY_MS ahead. An instant already
 * past is accepted: the run is queued at once.
 */
export function runStart(delayMs: number | undefined, runAt: number | undefined, now: number, names: StartTimeNames): number | null {
  if (delayMs !== undefined && runAt !== undefined) {
    throw new CapsuleError('bad_input', `${names.delay} and ${names.runAt} cannot be given together: a run is delayed by one or the other`, {hint: `drop ${names.delay} or ${names.runAt}`});
  }
  if (delayMs === undefined && runAt === undefined) return null;
  const name = delayMs === undefined ? names.runAt : names.delay;
  const at = delayMs === undefined ? runAt! : now + delayMs;
  if (!Number.isFinite(at)) throw new CapsuleError('bad_input', `${name}: not a valid time`);
  if (at - now > MAX_RUN_DELAY_MS) {
    throw new CapsuleError('bad_input', `${name}: the run would start in ${formatDuration(at - now)}, more than the ${formatDuration(MAX_RUN_DELAY_MS)} a run can be delayed`, {
      hint: 'check the date; a run that far ahead is better a schedule (`[schedules.NAME]` in capsule.toml)',
    });
  }
  return at;
}

/** A run's priority: a whole number in RUN_PRIORITY's range (given as text by the CLI); 0 when not given. */
export function runPriority(priority: number | string | undefined, name: string): number {
  if (priority === undefined) return 0;
  const value = typeof priority === 'number' ? priority : /^\s*[+-]?\d+\s*$/.test(priority) ? Number(priority) : Number.NaN;
  if (Number.isInteger(value) && value >= RUN_PRIORITY.min && value <= RUN_PRIORITY.max) return value;
  throw new CapsuleError('bad_input', `${name}: expected a whole number from ${RUN_PRIORITY.min} to ${RUN_PRIORITY.max} (higher runs first), like 10 or -5, got ${JSON.stringify(priority)}`);
}
