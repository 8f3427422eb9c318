import {describe, expect, it} from 'vitest';
import {formatDuration, parseDuration} from '../../src/lib/duration.js';
import {CapsuleError} from '../../src/lib/errors.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1.5s', 1500],
    ['1h30m', 5_400_000],
    [' 10s ', 10_000],
    ['250', 250],
    [1200, 1200],
  ])('parses %j as %d ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['', 'abc', '10x', '-5s', 's', '5 minutes', '1h 2q'])('rejects %j with what was expected and got', (input) => {
    const error = (() => {
      try {
        parseDuration(input, 'timeout');
      } catch (caught) {
        return caught as CapsuleError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(CapsuleError);
    expect(error?.code).toBe('bad_input');
    expect(error?.message).toBe(`invalid timeout: expected a duration like "500ms", "30s", "5m" or "1h", got ${JSON.stringify(input)}`);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(CapsuleError);
    expect(() => parseDuration(Number.NaN)).toThrow(CapsuleError);
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [42_000, '42s'],
    [190_000, '3m 10s'],
    [180_000, '3m'],
    [11_520_000, '3h 12m'],
    [93_600_000, '1d 2h'],
    [-5000, '-5s'],
  ])('formats %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
