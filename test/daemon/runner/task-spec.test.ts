import {describe, expect, it} from 'vitest';
import {COMPUTE_LEVELS, parseCompute} from '../../../src/config/compute.js';
import type {DiscoveredTask} from '../../../daemon/runner/executor-api.js';
import {normaliseTask, type TaskDefaults} from '../../../daemon/runner/task-spec.js';
import {CapsuleError} from '../../../src/lib/errors.js';

const defaults: TaskDefaults = {computeMs: 30_000, ramBytes: 256 * 1024 * 1024, timeoutMs: 30_000, maxRetries: 2};
const daemonEnv = {PATH: '/usr/bin', HOME: '/home/ada', SECRET_TOKEN: 'daemon-only', API_KEY: 'k-123'};

function discovered(options: Record<string, unknown>): DiscoveredTask {
  return {name: 'build_report', modulePath: '/p/tasks/report.ts', exportName: 'buildReport', options};
}

function errorOf(options: Record<string, unknown>): CapsuleError {
  try {
    normaliseTask('reports', discovered(options), defaults, daemonEnv);
  } catch (error) {
    expect(error).toBeInstanceOf(CapsuleError);
    return error as CapsuleError;
  }
  throw new Error('expected an error');
}

describe('normaliseTask', () => {
  it('fills omitted options from the project defaults', () => {
    const spec = normaliseTask('reports', discovered({}), defaults, daemonEnv);
    expect(spec).toEqual({
      name: 'build_report',
      modulePath: '/p/tasks/report.ts',
      exportName: 'buildReport',
      isolation: 'thread',
      limits: {computeMs: 30_000, ramBytes: 256 * 1024 * 1024, timeoutMs: 30_000},
      maxRetries: 2,
      backoff: {initialMs: 1000, factor: 2, maxMs: 300_000, jitter: 0.2},
      env: {PATH: '/usr/bin', HOME: '/home/ada'},
      concurrency: null,
      lock: null,
      lockMode: 'queue',
    });
  });

  it('reads every option into numbers', () => {
    const spec = normaliseTask(
      'reports',
      discovered({
        name: 'build_report',
        compute: 'HIGH',
        ram: '512MB',
        timeout: '2m',
        maxRetries: 3,
        backoff: {initial: '500ms', factor: 3, max: '1m', jitter: 0},
        env: ['API_KEY', 'MISSING_VAR'],
        isolation: 'process',
        concurrency: 2,
        lock: 'report:{id}',
        lockMode: 'skip',
      }),
      defaults,
      daemonEnv,
    );
    expect(spec.limits).toEqual({computeMs: 120_000, ramBytes: 512 * 1024 * 1024, timeoutMs: 120_000});
    expect(spec.maxRetries).toBe(3);
    expect(spec.backoff).toEqual({initialMs: 500, factor: 3, maxMs: 60_000, jitter: 0});
    expect(spec.env).toEqual({PATH: '/usr/bin', HOME: '/home/ada', API_KEY: 'k-123'});
    expect(spec).toMatchObject({isolation: 'process', concurrency: 2, lock: 'report:{id}', lockMode: 'skip'});
  });

  it('takes compute as a level or CPU milliseconds', () => {
    expect(COMPUTE_LEVELS).toEqual({LOW: 5000, MEDIUM: 30_000, HIGH: 120_000});
    expect(normaliseTask('reports', discovered({compute: 'LOW'}), defaults, daemonEnv).limits.computeMs).toBe(5000);
    expect(normaliseTask('reports', discovered({compute: 750}), defaults, daemonEnv).limits.computeMs).toBe(750);
    expect(() => parseCompute('low')).toThrow('invalid compute: expected "LOW", "MEDIUM", "HIGH" or CPU milliseconds as a positive integer, got "low"');
  });

  it('gives fixed env values and never leaks the daemon environment', () => {
    const spec = normaliseTask('reports', discovered({env: {MODE: 'batch', PATH: '/opt/bin'}}), defaults, daemonEnv);
    expect(spec.env).toEqual({PATH: '/opt/bin', HOME: '/home/ada', MODE: 'batch'});
    expect(spec.env).not.toHaveProperty('SECRET_TOKEN');
  });

  it('names the task, the option, what was expected and what was got', () => {
    const ram = errorOf({ram: 'lots'});
    expect(ram.code).toBe('config_invalid');
    expect(ram.message).toBe('task reports/build_report: option "ram": invalid ram: expected a size like "512KB", "64MB" or "2GB", got "lots"');
    expect(ram.hint).toContain('KB, MB, GB');
    expect(errorOf({timeout: '0s'}).message).toBe('task reports/build_report: option "timeout": expected a value above zero, got 0');
    expect(errorOf({maxRetries: 1.5}).message).toBe('task reports/build_report: option "maxRetries": expected an integer from 0 to 100, got 1.5');
    expect(errorOf({concurrency: 0}).message).toBe('task reports/build_report: option "concurrency": expected an integer of at least 1, got 0');
    expect(errorOf({isolation: 'vm'}).message).toBe('task reports/build_report: option "isolation": expected one of "thread", "process", got "vm"');
    expect(errorOf({compute: 'EXTREME'}).message).toContain('option "compute": invalid compute: expected "LOW", "MEDIUM", "HIGH"');
    expect(errorOf({compute: 'HIG'}).hint).toBe('did you mean "HIGH"?');
    expect(errorOf({lock: 'report:{id'}).message).toContain('option "lock": invalid lock template "report:{id"');
    expect(errorOf({lock: 7}).message).toBe('task reports/build_report: option "lock": expected a key template such as "report:{id}", got 7');
    expect(errorOf({lockMode: 'skip'}).message).toBe('task reports/build_report: option "lockMode" has no effect without "lock"');
    expect(errorOf({env: ['bad-name']}).message).toContain('option "env": expected variable names such as "API_KEY", got "bad-name"');
    expect(errorOf({env: {N: 1}}).message).toContain('expected a string value for N, got 1');
    expect(errorOf({backoff: {factor: 0.5}}).message).toContain('expected backoff.factor to be a number of at least 1, got 0.5');
    expect(errorOf({backoff: {jitter: 2}}).message).toContain('expected backoff.jitter to be a number from 0 to 1, got 2');
    expect(errorOf({backoff: {delay: '1s'}}).message).toContain('expected only the keys initial, factor, max, jitter, got "delay"');
  });

  it('rejects an unknown option with a suggestion', () => {
    const error = errorOf({maxRetires: 2});
    expect(error.message).toBe('task reports/build_report: unknown option "maxRetires"');
    expect(error.hint).toBe('did you mean "maxRetries"?');
  });
});
