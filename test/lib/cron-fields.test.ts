import {describe, expect, it} from 'vitest';
import {cronFields, cronHasSeconds} from '../../src/lib/cron-fields.js';

describe('cron fields', () => {
  it('counts the fields as written, a macro as one', () => {
    expect(cronFields('  0 3 * * *  ')).toEqual(['0', '3', '*', '*', '*']);
    expect(cronFields('@daily')).toEqual(['@daily']);
    expect(cronFields(' ')).toEqual([]);
  });

  it('tells a rule with a seconds field (6 fields, @secondly) from one without', () => {
    expect(cronHasSeconds('*/20 * * * * *')).toBe(true);
    expect(cronHasSeconds('@secondly')).toBe(true);
    expect(cronHasSeconds('*/5 * * * *')).toBe(false);
    expect(cronHasSeconds('@hourly')).toBe(false);
  });
});
