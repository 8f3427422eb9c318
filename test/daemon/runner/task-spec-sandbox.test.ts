import {mkdirSync, mkdtempSync, realpathSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {DiscoveredTask} from '../../../daemon/runner/executor-api.js';
import {normaliseTask} from '../../../daemon/runner/task-spec.js';
import {DEFAULT_SANDBOX_POLICY} from '../../../src/config/sandbox-policy.js';
import type {TaskDefaults} from '../../../src/config/task-limits.js';
import {CapsuleError} from '../../../src/lib/errors.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'capsule-task-sandbox-')));
mkdirSync(join(root, 'data'));
mkdirSync(join(root, 'out'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

const project = {namespace: 'reports', root};
const MB = 1024 * 1024;
const threadDefaults: TaskDefaults = {computeMs: 30_000, ramBytes: 256 * MB, timeoutMs: 30_000, maxRetries: 2, isolation: 'thread', sandbox: DEFAULT_SANDBOX_POLICY};
/** `[defaults]` that declare sandbox keys: they apply to sandboxed tasks only, whatever the default isolation. */
const declaredDefaults: TaskDefaults = {...threadDefaults, sandbox: {...DEFAULT_SANDBOX_POLICY, files: [{path: join(root, 'data'), writable: false}], hosts: ['api.example.com'], scratchBytes: 8 * MB}};

const discovered = (options: Record<string, unknown>): DiscoveredTask => ({name: 'fetch', modulePath: join(root, 'tasks/fetch.ts'), exportName: 'fetch', options});
const specOf = (options: Record<string, unknown>, defaults = threadDefaults) => normaliseTask(project, discovered(options), defaults, {});

function errorOf(options: Record<string, unknown>, defaults = threadDefaults): CapsuleError {
  try {
    specOf(options, defaults);
  } catch (error) {
    expect(error).toBeInstanceOf(CapsuleError);
    return error as CapsuleError;
  }
  throw new Error('expected the task to be refused');
}

describe('normaliseTask: the sandbox policy', () => {
  it('is null for a task that is not sandboxed, even when [defaults] declare sandbox keys', () => {
    expect(specOf({}, declaredDefaults).sandbox).toBeNull();
    expect(specOf({isolation: 'process'}, declaredDefaults)).toMatchObject({isolation: 'process', sandbox: null});
  });

  it('takes [defaults] for a sandboxed task, whether isolation comes from task() or from [defaults]', () => {
    expect(specOf({isolation: 'sandbox'}, declaredDefaults).sandbox).toEqual(declaredDefaults.sandbox);
    expect(specOf({}, {...declaredDefaults, isolation: 'sandbox'})).toMatchObject({isolation: 'sandbox', sandbox: declaredDefaults.sandbox});
    expect(specOf({isolation: 'sandbox'}).sandbox).toEqual(DEFAULT_SANDBOX_POLICY);
  });

  it('lets each task() option replace its [defaults] key, leaving the others', () => {
    const spec = specOf({isolation: 'sandbox', allowedFiles: ['out:rw'], scratch: '1GB'}, declaredDefaults);
    expect(spec.sandbox).toEqual({...declaredDefaults.sandbox, files: [{path: join(root, 'out'), writable: true}], scratchBytes: 1024 * MB});
    expect(specOf({isolation: 'sandbox', allowedHosts: []}, declaredDefaults).sandbox!.hosts).toEqual([]);
  });

  it('lets a task opt out of a sandbox [defaults] asks for', () => {
    expect(specOf({isolation: 'thread'}, {...declaredDefaults, isolation: 'sandbox'})).toMatchObject({isolation: 'thread', sandbox: null});
  });

  it.each(['allowedFiles', 'allowedHosts', 'scratch'])('refuses %s on a task that is not sandboxed: it would not be confined', (option) => {
    const value = option === 'scratch' ? '64MB' : [];
    const error = errorOf({[option]: value});
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(`task reports/fetch: option "${option}" applies to isolation "sandbox" only, and this task's isolation is "thread": it would not be confined`);
    expect(error.hint).toBe(`add isolation: "sandbox" to confine the task, or remove ${option}`);
    expect(errorOf({isolation: 'process', [option]: value}, {...threadDefaults, isolation: 'sandbox'}).message).toContain(`this task's isolation is "process"`);
  });

  it('names the list element at fault', () => {
    expect(errorOf({isolation: 'sandbox', allowedHosts: ['api.example.com', 'http://x.example.com']})).toMatchObject({
      message: 'task reports/fetch: option "allowedHosts[1]": expected a host such as "api.example.com", "*.example.org", "127.0.0.1:8080", "[::1]:8080" or "api.example.com:443", without a scheme, got "http://x.example.com"',
      hint: 'did you mean "x.example.com"?',
    });
    expect(errorOf({isolation: 'sandbox', allowedFiles: ['data', '/etc']}).message).toBe(`task reports/fetch: option "allowedFiles[1]": expected a path inside the project ${root}, got "/etc"`);
  });

  it('suggests the option meant for a misspelt one', () => {
    expect(errorOf({isolation: 'sandbox', allowedFile: ['data']})).toMatchObject({message: 'task reports/fetch: unknown option "allowedFile"', hint: 'did you mean "allowedFiles"?'});
  });
});

describe('normaliseTask: a sandboxed task’s environment', () => {
  it('never takes the daemon’s own variables, by name or by value', () => {
    for (const env of [['API_KEY', 'CAPSULE_HOME'], {CAPSULE_TOKEN: 'x'}]) {
      const error = errorOf({isolation: 'sandbox', env});
      expect(error.message).toMatch(/CAPSULE_(HOME|TOKEN) is the daemon's own variable/);
    }
    expect(normaliseTask(project, discovered({isolation: 'sandbox', env: ['API_KEY']}), threadDefaults, {API_KEY: 'k', CAPSULE_HOME: '/home/x/.capsule'}).env).toEqual({API_KEY: 'k'});
    expect(specOf({isolation: 'process', env: ['CAPSULE_HOME']}).env).toEqual({});
  });
});
