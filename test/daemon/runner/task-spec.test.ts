import {describe, expect, it} from 'vitest';
import {COMPUTE_LEVELS, parseCompute} from '../../../src/config/compute.js';
import type {DiscoveredTask} from '../../../daemon/runner/executor-api.js';
import {normaliseTask} from '../../../daemon/runner/task-spec.js';
import {DEFAULT_SANDBOX_POLICY} from '../../../src/config/sandbox-policy.js';
import type {TaskDefaults} from '../../../src/config/task-limits.js';
import {CapsuleError} from '../../../src/lib/errors.js';

const defaults: TaskDefaults = {computeMs: 30_000, ramBytes: 256 * 1024 * 1024, timeoutMs: 30_000, maxRetries: 2, isolation: 'thread', sandbox: DEFAULT_SANDBOX_POLICY};
const project = {namespace: 'reports', root: '/p'};
const daemonEnv = {PATH: '/usr/bin', HOME: '/home/ada', SECRET_TOKEN: 'daemon-only', API_KEY: 'k-123'};

function discovered(options: Record<string, unknown>): DiscoveredTask {
  return {name: 'build_report', modulePath: '/p/tasks/report.ts', exportName: 'buildReport', options};
}

function errorOf(options: Record<string, unknown>): CapsuleError {
  try {
    normaliseTask(project, discovered(options), defaults, daemonEnv);
  } catch (error) {
    expect(error).toBeInstanceOf(CapsuleError);
    return error as CapsuleError;
  }
  throw new Error('expected an error');
}

describe('normaliseTask', () => {
  it('fills omitted options from the project defaults', () => {
    const spec = normaliseTask(project, discovered({}), defaults, daemonEnv);
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
      sandbox: null,
    });
  });

  it('reads every option into numbers', () => {
    const spec = normaliseTask(
      project,
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
    expect(normaliseTask(project, discovered({compute: 'LOW'}), defaults, daemonEnv).limits.computeMs).toBe(5000);
    expect(normaliseTask(project, discovered({compute: 750}), defaults, daemonEnv).limits.computeMs).toBe(750);
    expect(() => parseCompute('low')).toThrow('invalid compute: expected "LOW", "MEDIUM", "HIGH" or CPU milliseconds as a positive integer, got "low"');
  });

  it('gives fixed env values and never leaks the daemon environment', () => {
    const spec = normaliseTask(project, discovered({env: {MODE: 'batch', PATH: '/opt/bin'}}), defaults, daemonEnv);
    expect(spec.env).toEqual({PATH: '/opt/bin', HOME: '/home/ada', MODE: 'batch'});
    expect(spec.env).not.toHaveProperty('SECRET_TOKEN');
  });

  it('names the task, the option, what was expected and what was got', () => {
    const ram = errorOf({ram: 'lots'});
    expect(ram.code).toBe('config_invalid');
    expect(ram.message).toBe('task reports/build_report: option "ram": expected a size with its unit, of at least 1MB, such as "256MB" or "2GB", got "lots"');
    expect(errorOf({timeout: '0s'}).message).toBe('task reports/build_report: option "timeout": expected a duration above zero such as "30s", "5m" or "1h", got "0s"');
    expect(errorOf({maxRetries: 1.5}).message).toBe('task reports/build_report: option "maxRetries": expected an integer from 0 to 100, got number 1.5');
    expect(errorOf({concurrency: 0}).message).toBe('task reports/build_report: option "concurrency": expected an integer of at least 1, got number 0');
    expect(errorOf({isolation: 'vm'}).message).toBe('task reports/build_report: option "isolation": expected one of "thread", "process", "sandbox", got "vm"');
    expect(errorOf({isolation: 'proces'}).hint).toBe('did you mean "process"?');
    expect(errorOf({compute: 'EXTREME'}).message).toBe(
      'task reports/build_report: option "compute": expected "LOW", "MEDIUM", "HIGH" or CPU milliseconds as a positive integer, got "EXTREME"',
    );
    expect(errorOf({compute: 'HIG'}).hint).toBe('did you mean "HIGH"?');
    const lock = errorOf({lock: 'report:{id'});
    expect(lock.message).toContain('option "lock": invalid lock template "report:{id"');
    expect(lock.hint).toContain('for example "report:{id}"');
    expect(errorOf({lock: 7}).message).toBe('task reports/build_report: option "lock": expected a key template such as "report:{id}", got number 7');
    expect(errorOf({lockMode: 'skip'}).message).toBe('task reports/build_report: option "lockMode" has no effect without "lock"');
    expect(errorOf({env: ['bad-name']}).message).toBe('task reports/build_report: option "env": expected variable names such as "API_KEY", got "bad-name"');
    expect(errorOf({env: {N: 1}}).message).toBe('task reports/build_report: option "env": expected a string value for N, got number 1');
    expect(errorOf({backoff: {factor: 0.5}}).message).toBe('task reports/build_report: option "backoff.factor": expected a number of at least 1, got number 0.5');
    expect(errorOf({backoff: {jitter: 2}}).message).toBe('task reports/build_report: option "backoff.jitter": expected true, false or a number from 0 to 1, got number 2');
    const unknownKey = errorOf({backoff: {intial: '1s'}});
    expect(unknownKey.message).toBe('task reports/build_report: option "backoff.intial": unknown key; expected one of initial, factor, max, jitter');
    expect(unknownKey.hint).toBe('did you mean "initial"?');
  });

  it('refuses a ram without a unit and says how to write it', () => {
    const bare = errorOf({ram: 256});
    expect(bare.message).toBe('task reports/build_report: option "ram": expected a size with its unit, of at least 1MB, such as "256MB" or "2GB", got number 256');
    expect(bare.hint).toBe('did you mean "256MB"?');
    expect(errorOf({ram: '512'}).hint).toBe('did you mean "512MB"?');
    expect(errorOf({ram: 512 * 1024 * 1024}).hint).toBe('did you mean "512MB"?');
  });

  it('takes jitter as true (the default fraction), false (none) or the fraction', () => {
    const jitterOf = (jitter: unknown) => normaliseTask(project, discovered({backoff: {jitter}}), defaults, daemonEnv).backoff.jitter;
    expect([jitterOf(true), jitterOf(false), jitterOf(0.5)]).toEqual([0.2, 0, 0.5]);
  });

  it('rejects an unknown option with a suggestion', () => {
    const error = errorOf({maxRetires: 2});
    expect(error.message).toBe('task reports/build_report: unknown option "maxRetires"');
    expect(error.hint).toBe('did you mean "maxRetries"?');
  });
});
