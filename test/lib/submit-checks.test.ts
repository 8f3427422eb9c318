import {describe, expect, it} from 'vitest';
import {MAX_RUN_DELAY_MS, parseDelay, parseInstant, runPriority, runStart} from '../../src/lib/submit-checks.js';

const NAMES = {delay: '--in', runAt: '--at'};
const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('parseInstant', () => {
  it('reads a time without an offset as local time, and one with an offset as that instant', () => {
    expect(parseInstant('2026-12-02T03:00', '--at')).toBe(new Date(2026, 11, 2, 3, 0).getTime());
    expect(parseInstant('2026-12-02 03:00:30.250', '--at')).toBe(new Date(2026, 11, 2, 3, 0, 30, 250).getTime());
    expect(parseInstant('2026-12-02T03:00:00Z', '--at')).toBe(Date.parse('2026-12-02T03:00:00Z'));
    expect(parseInstant('2026-12-02T03:00:00+01:00', '--at')).toBe(Date.parse('2026-12-02T02:00:00Z'));
    expect(parseInstant('2026-12-02T03:00-0530', '--at')).toBe(Date.parse('2026-12-02T08:30:00Z'));
  });

  it('refuses a date alone, an impossible date or time, and words, naming the option', () => {
    for (const text of ['2026-12-02', '2026-02-30T10:00', '2026-12-02T24:00', '2026-12-02T10:61', 'tomorrow', '']) {
      expect(() => parseInstant(text, '--at')).toThrow(`--at: expected a date and time like 2026-12-02T03:00 (local time) or 2026-12-02T03:00:00+01:00, got ${JSON.stringify(text)}`);
    }
  });
});

describe('runStart', () => {
  it('is null without a delay, now plus the delay, or the instant given', () => {
    expect(runStart(undefined, undefined, NOW, NAMES)).toBeNull();
    expect(runStart(600_000, undefined, NOW, NAMES)).toBe(NOW + 600_000);
    expect(runStart(undefined, NOW - 5, NOW, NAMES)).toBe(NOW - 5);
  });

  it('refuses both at once and a start more than a year ahead, naming the option', () => {
    expect(() => runStart(1, NOW, NOW, NAMES)).toThrow('--in and --at cannot be given together');
    expect(() => runStart(MAX_RUN_DELAY_MS + 1, undefined, NOW, NAMES)).toThrow(/^--in: the run would start in 366d, more than the 366d a run can be delayed/);
    expect(() => runStart(undefined, NOW + 2 * MAX_RUN_DELAY_MS, NOW, NAMES)).toThrow(/^--at: /);
    expect(runStart(MAX_RUN_DELAY_MS, undefined, NOW, NAMES)).toBe(NOW + MAX_RUN_DELAY_MS);
  });
});

describe('parseDelay and runPriority', () => {
  it('name the option and give an example', () => {
    expect(parseDelay('90s', '--in')).toBe(90_000);
    expect(() => parseDelay('soon', '--in')).toThrow('--in: expected a duration like 90s, 10m or 2h, got "soon"');
    expect(runPriority('-5', '--priority')).toBe(-5);
    expect(runPriority(undefined, '--priority')).toBe(0);
    expect(() => runPriority('1.5', '--priority')).toThrow('--priority: expected a whole number from -1000 to 1000 (higher runs first), like 10 or -5, got "1.5"');
    expect(() => runPriority(1001, 'priority')).toThrow(/^priority: .* got 1001$/);
  });
});
