import {describe, expect, test} from 'vitest';
import {COMPUTE_LEVELS, parseCompute} from '../../src/config/index.js';
import {CapsuleError} from '../../src/lib/errors.js';

describe('parseCompute', () => {
  test('levels and CPU milliseconds give a CPU budget in ms', () => {
    expect(parseCompute('LOW')).toBe(COMPUTE_LEVELS.LOW);
    expect(parseCompute('MEDIUM')).toBe(30_000);
    expect(parseCompute('HIGH')).toBe(120_000);
    expect(parseCompute(2500)).toBe(2500);
  });

  test.each([
    ['medium', 'did you mean "MEDIUM"?'],
    ['HUGE', 'write LOW, MEDIUM, HIGH or a number of CPU milliseconds such as 10000'],
    ['toString', 'write LOW, MEDIUM, HIGH or a number of CPU milliseconds such as 10000'],
    [0, 'write LOW, MEDIUM, HIGH or a number of CPU milliseconds such as 10000'],
    [1.5, 'write LOW, MEDIUM, HIGH or a number of CPU milliseconds such as 10000'],
  ])('refuses %j, saying what was expected and what was got', (value, hint) => {
    const error = catchError(() => parseCompute(value));
    expect(error.code).toBe('bad_input');
    expect(error.message).toBe(`invalid compute: expected "LOW", "MEDIUM", "HIGH" or CPU milliseconds as a positive integer, got ${JSON.stringify(value)}`);
    expect(error.hint).toBe(hint);
  });
});

function catchError(run: () => unknown): CapsuleError {
  try {
    run();
  } catch (error) {
    if (error instanceof CapsuleError) return error;
    throw error;
  }
  throw new Error('expected a CapsuleError');
}
