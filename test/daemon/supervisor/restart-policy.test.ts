import {describe, expect, it} from 'vitest';
import {backoffDelay} from '../../../daemon/supervisor/backoff.js';
import {isFailure, RestartPolicy} from '../../../daemon/supervisor/restart-policy.js';
import type {ServiceConfig} from '../../../src/config/services.js';
import {FakeClock} from '../core/fake-clock.js';

const crash = {kind: 'exit', code: 1, signal: null} as const;
const cleanExit = {kind: 'exit', code: 0, signal: null} as const;

function policy(overrides: Partial<Pick<ServiceConfig, 'restart' | 'maxRestarts' | 'restartWindowMs'>> = {}) {
  const clock = new FakeClock(0);
  const settings = {restart: 'on-failure' as const, backoff: {initialMs: 100, factor: 2, maxMs: 1000}, maxRestarts: 10, restartWindowMs: 60_000, ...overrides};
  return {clock, policy: new RestartPolicy(settings, clock)};
}

describe('backoffDelay', () => {
  it('grows exponentially and stops at the cap', () => {
    const backoff = {initialMs: 500, factor: 2, maxMs: 30_000};
    expect([0, 1, 2, 3, 5, 6, 20].map((attempt) => backoffDelay(attempt, backoff))).toEqual([500, 1000, 2000, 4000, 16_000, 30_000, 30_000]);
  });

  it('stays flat with factor 1', () => {
    expect(backoffDelay(7, {initialMs: 250, factor: 1, maxMs: 1000})).toBe(250);
  });
});

describe('RestartPolicy', () => {
  it('delays consecutive failures longer and longer, up to the cap', () => {
    const {policy: restarts} = policy();
    const delays = Array.from({length: 6}, () => restarts.decide(crash)).map((decision) => (decision.kind === 'restart' ? decision.delayMs : decision.kind));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('starts from the initial delay again once the service ran stably', () => {
    const {policy: restarts} = policy();
    restarts.decide(crash);
    restarts.decide(crash);
    restarts.markStable();
    expect(restarts.decide(crash)).toEqual({kind: 'restart', delayMs: 100, attempt: 1});
  });

  it('fails once max_restarts restarts fall within the window', () => {
    const {clock, policy: restarts} = policy({maxRestarts: 3, restartWindowMs: 10_000});
    for (let index = 0; index < 3; index++) {
      expect(restarts.decide(crash).kind).toBe('restart');
      clock.advance(1000);
    }
    expect(restarts.decide(crash)).toEqual({kind: 'failed', reason: 'restarted 3 times within 10s (max_restarts = 3)'});
  });

  it('forgets restarts older than the window', () => {
    const {clock, policy: restarts} = policy({maxRestarts: 2, restartWindowMs: 10_000});
    restarts.decide(crash);
    clock.advance(6000);
    restarts.decide(crash);
    clock.advance(5000);
    expect(restarts.decide(crash).kind).toBe('restart');
    expect(restarts.decide(crash).kind).toBe('failed');
  });

  it('never restarts with max_restarts = 0', () => {
    expect(policy({maxRestarts: 0}).policy.decide(crash).kind).toBe('failed');
  });

  it('is given a fresh budget by an operator', () => {
    const {policy: restarts} = policy({maxRestarts: 1});
    restarts.decide(crash);
    expect(restarts.decide(crash).kind).toBe('failed');
    restarts.reset();
    expect(restarts.decide(crash)).toEqual({kind: 'restart', delayMs: 100, attempt: 1});
  });

  it('follows the restart mode', () => {
    expect(policy({restart: 'never'}).policy.decide(crash)).toEqual({kind: 'exited'});
    expect(policy({restart: 'on-failure'}).policy.decide(cleanExit)).toEqual({kind: 'exited'});
    expect(policy({restart: 'on-failure'}).policy.decide({kind: 'unhealthy'}).kind).toBe('restart');
    expect(policy({restart: 'always'}).policy.decide(cleanExit).kind).toBe('restart');
  });

  it('counts a signal or an unknown status as a failure', () => {
    expect(isFailure({kind: 'exit', code: null, signal: 'SIGSEGV'})).toBe(true);
    expect(isFailure({kind: 'exit', code: null, signal: null})).toBe(true);
    expect(isFailure(cleanExit)).toBe(false);
    expect(isFailure({kind: 'max_memory'})).toBe(true);
  });
});
