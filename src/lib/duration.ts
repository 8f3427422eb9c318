import {CapsuleError} from './errors.js';

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000};

/**
 * Parses a duration such as "500ms", "30s", "5m", "1h" or "2d" into milliseconds. Compound
 * forms ("1h30m") are accepted too. A bare number is taken as milliseconds.
 */
export function parseDuration(value: string | number, what = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw invalid(value, what);
  }
  const text = value.trim();
  if (text === '') throw invalid(value, what);
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*/.exec(rest);
    if (!match) {
      if (/^\d+(\.\d+)?$/.test(rest) && rest === text) return Number(rest);
      throw invalid(value, what);
    }
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return Math.round(total);
}

/** True when `value` parses; for schema refinements. */
export function isDuration(value: string | number): boolean {
  try {
    parseDuration(value);
    return true;
  } catch {
    return false;
  }
}

function invalid(value: unknown, what: string): CapsuleError {
  return new CapsuleError('bad_input', `invalid ${what}: expected a duration like "500ms", "30s", "5m" or "1h", got ${JSON.stringify(value)}`, {
    hint: 'write a number followed by one of ms, s, m, h, d',
  });
}

/** Short human form: "850ms", "42s", "3m 10s", "3h 12m", "4d 2h". */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  const seconds = Math.floor(abs / 1000);
  if (seconds < 60) return `${sign}${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${sign}${minutes}m${seconds % 60 ? ` ${seconds % 60}s` : ''}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${sign}${hours}h${minutes % 60 ? ` ${minutes % 60}m` : ''}`;
  const days = Math.floor(hours / 24);
  return `${sign}${days}d${hours % 24 ? ` ${hours % 24}h` : ''}`;
}


/** An instant as messages quote it: "2026-11-21 12:00:03 UTC". */
export function formatInstant(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 19)} UTC`;
}
