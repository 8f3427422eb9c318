import {describe, expect, it} from 'vitest';
import {normaliseTask} from '../../daemon/runner/task-spec.js';
import {parseProjectConfig} from '../../src/config/index.js';
import {DEFAULT_SANDBOX_POLICY} from '../../src/config/sandbox-policy.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {issuesFrom, toml} from './helpers.js';

// The same limit written in [defaults] and in task({...}) must be taken or refused alike, in the same words.

const MB = 1024 * 1024;

/** `[defaults] KEY = LITERAL`: the normalised defaults, or the refusal's message and suggestion. */
function fromDefaults(key: string, literal: string): unknown {
  const text = toml('[project]', 'name = "reports"', '[defaults]', `${key} = ${literal}`);
  try {
    const {computeMs, ramBytes, timeoutMs, maxRetries} = parseProjectConfig(text, 'capsule.toml').defaults;
    return {taken: {computeMs, ramBytes, timeoutMs, maxRetries}};
  } catch {
    const [issue] = issuesFrom(() => parseProjectConfig(text, 'capsule.toml'));
    expect(issue).toMatchObject({path: `defaults.${key}`, line: 4});
    return {refused: issue!.message, suggestion: issue!.suggestion};
  }
}

/** `task({OPTION: value})` over the documented defaults: the same shape as fromDefaults. */
function fromTask(option: string, value: unknown): unknown {
  const defaults = {computeMs: 30_000, ramBytes: 256 * MB, timeoutMs: 30_000, maxRetries: 2, isolation: 'thread' as const, sandbox: DEFAULT_SANDBOX_POLICY};
  try {
    const spec = normaliseTask({namespace: 'reports', root: '/p'}, {name: 'build', modulePath: '/p/tasks/build.ts', exportName: 'build', options: {[option]: value}}, defaults, {});
    return {taken: {...spec.limits, maxRetries: spec.maxRetries}};
  } catch (error) {
    expect(error).toBeInstanceOf(CapsuleError);
    const {message, hint} = error as CapsuleError;
    const prefix = `task reports/build: option "${option}": `;
    expect(message.startsWith(prefix)).toBe(true);
    const suggestion = hint?.match(/^did you mean "(.*)"\?$/)?.[1] ?? null;
    return {refused: message.slice(prefix.length), suggestion};
  }
}

describe('task limits from [defaults] and from task()', () => {
  const cases: Array<[key: string, option: string, literal: string, value: unknown]> = [
    ['ram', 'ram', '256', 256],
    ['ram', 'ram', '"256"', '256'],
    ['ram', 'ram', '"512KB"', '512KB'],
    ['ram', 'ram', '"1MB"', '1MB'],
    ['ram', 'ram', '"2GB"', '2GB'],
    ['max_retries', 'maxRetries', '100', 100],
    ['max_retries', 'maxRetries', '101', 101],
    ['max_retries', 'maxRetries', '-1', -1],
    ['max_retries', 'maxRetries', '"2"', '2'],
    ['timeout', 'timeout', '"0s"', '0s'],
    ['timeout', 'timeout', '1500', 1500],
    ['timeout', 'timeout', '"1h30m"', '1h30m'],
    ['compute', 'compute', '"MEDUIM"', 'MEDUIM'],
    ['compute', 'compute', '4500', 4500],
    ['compute', 'compute', '0', 0],
  ];

  it.each(cases)('[defaults] %s and task() %s, written %s and %j', (key, option, literal, value) => {
    expect(fromTask(option, value)).toEqual(fromDefaults(key, literal));
  });

  it('refuses a bare number of ram on both sides and suggests the size meant', () => {
    const refusal = {refused: 'expected a size with its unit, of at least 1MB, such as "256MB" or "2GB", got number 256', suggestion: '256MB'};
    expect(fromDefaults('ram', '256')).toEqual(refusal);
    expect(fromTask('ram', 256)).toEqual(refusal);
  });

  it('bounds maxRetries from 0 to 100 on both sides', () => {
    expect(fromDefaults('max_retries', '100')).toMatchObject({taken: {maxRetries: 100}});
    expect(fromTask('maxRetries', 101)).toEqual({refused: 'expected an integer from 0 to 100, got number 101', suggestion: null});
  });
});
