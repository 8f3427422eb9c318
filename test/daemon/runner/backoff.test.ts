import {describe, expect, it} from 'vitest';
import {backoffDelay, DEFAULT_BACKOFF} from '../../../daemon/runner/backoff.js';

const noJitter = {...DEFAULT_BACKOFF, jitter: 0};

describe('backoffDelay', () => {
  it('defaults to 1s, doubling, capped at 5m, with 20% jitter', () => {
    expect(DEFAULT_BACKOFF).toEqual({initialMs: 1000, factor: 2, maxMs: 300_000, jitter: 0.2});
  });

  it('grows by the factor from the initial delay', () => {
    expect([1, 2, 3, 4].map((retry) => backoffDelay(noJitter, retry, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay({...noJitter, factor: 3, initialMs: 500}, 3, () => 0)).toBe(4500);
  });

  it('never exceeds the maximum, even for huge retry numbers', () => {
    expect(backoffDelay(noJitter, 9, () => 0)).toBe(256_000);
    expect(backoffDelay(noJitter, 10, () => 0)).toBe(300_000);
    expect(backoffDelay(noJitter, 5000, () => 0)).toBe(300_000);
    expect(backoffDelay(DEFAULT_BACKOFF, 5000, () => 0)).toBe(300_000);
  });

  it('jitter shortens a delay by up to its fraction', () => {
    expect(backoffDelay(DEFAULT_BACKOFF, 1, () => 0)).toBe(1000);
    expect(backoffDelay(DEFAULT_BACKOFF, 1, () => 0.5)).toBe(900);
    expect(backoffDelay(DEFAULT_BACKOFF, 1, () => 0.999_999)).toBe(800);
    expect(backoffDelay({...DEFAULT_BACKOFF, jitter: 1}, 2, () => 0.75)).toBe(500);
  });

  it('treats factor 1 as a constant delay', () => {
    expect(backoffDelay({...noJitter, factor: 1}, 7, () => 0)).toBe(1000);
  });
});
