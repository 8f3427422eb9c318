import {CapsuleError} from './errors.js';

// Memory sizes are binary, as RAM is: "1MB" is 1024 × 1024 bytes. The "iB" spellings are accepted as synonyms.
const UNIT_BYTES: Record<string, number> = {b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4};

/** Parses "512KB", "64MB", "2GB", "1.5GB" (case-insensitive) into bytes; a bare number is bytes. */
export function parseSize(value: string | number, what = 'size'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
    throw invalid(value, what);
  }
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  if (!match) throw invalid(value, what);
  const unit = (match[2] || 'b').toLowerCase();
  const factor = UNIT_BYTES[unit];
  if (factor === undefined) throw invalid(value, what);
  return Math.round(Number(match[1]) * factor);
}

export function isSize(value: string | number): boolean {
  try {
    parseSize(value);
    return true;
  } catch {
    return false;
  }
}

function invalid(value: unknown, what: string): CapsuleError {
  return new CapsuleError('bad_input', `invalid ${what}: expected a size like "512KB", "64MB" or "2GB", got ${JSON.stringify(value)}`, {
    hint: 'write a number followed by one of KB, MB, GB (1MB = 1024 KB)',
  });
}

/** "812KB", "64MB", "1.5GB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10}${units[unit]}`;
}
