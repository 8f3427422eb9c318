import {describe, expect, it} from 'vitest';
import {shouldRetry} from '../../../daemon/runner/retry.js';
import type {RunErrorType} from '../../../src/protocol/index.js';

describe('shouldRetry', () => {
  it('retries while attempts remain: maxRetries more after the first', () => {
    const at = (attempt: number) => shouldRetry({errorType: 'error', fatal: false, attempt, maxRetries: 2});
    expect([1, 2, 3, 4].map(at)).toEqual([true, true, false, false]);
  });

  it('never retries with maxRetries 0', () => {
    expect(shouldRetry({errorType: 'error', fatal: false, attempt: 1, maxRetries: 0})).toBe(false);
  });

  it('retries every failure type but cancellation and the sandbox refusals', () => {
    const types: RunErrorType[] = ['error', 'timeout', 'out_of_memory', 'compute_exhausted', 'crashed', 'interrupted'];
    for (const errorType of types) expect(shouldRetry({errorType, fatal: false, attempt: 1, maxRetries: 1}), errorType).toBe(true);
    for (const errorType of ['cancelled', 'sandbox_denied', 'sandbox_unavailable'] as const) {
      expect(shouldRetry({errorType, fatal: false, attempt: 1, maxRetries: 5}), errorType).toBe(false);
    }
  });

  it('never retries a FatalError', () => {
    expect(shouldRetry({errorType: 'error', fatal: true, attempt: 1, maxRetries: 5})).toBe(false);
  });
});
