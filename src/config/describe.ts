/** How config issues phrase what they got, so every message reads the same way. */

/** Long strings are cut so one bad value cannot flood an error line. */
const MAX_SHOWN_CHARS = 40;

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value);
  if (typeof value === 'number' || typeof value === 'bigint') return `number ${value}`;
  if (typeof value === 'boolean') return `boolean ${value}`;
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  return 'a table';
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'a boolean',
  date: 'a date',
  array: 'an array',
  tuple: 'an array',
  object: 'a table',
  record: 'a table',
};

/** A schema's expected type (zod's `expected`) in TOML's words: an object is a table. */
export function describeType(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}
