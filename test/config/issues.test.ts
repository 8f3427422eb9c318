import {describe, expect, test} from 'vitest';
import {formatConfigIssues} from '../../src/config/index.js';
import {formatKeyPath} from '../../src/config/issues.js';

describe('formatConfigIssues', () => {
  test('one line per issue, with as much place as is known', () => {
    const text = formatConfigIssues([
      {file: 'capsule.toml', line: 12, column: 3, path: 'services.api.restrat', message: 'unknown key', suggestion: 'restart'},
      {file: 'capsule.toml', line: 4, column: null, path: 'project.version', message: 'expected a string, got number 1', suggestion: null},
      {file: '/p/capsule.toml', line: null, column: null, path: 'project', message: 'missing table [project]', suggestion: null},
      {file: 'capsule.toml', line: 3, column: 11, path: '', message: 'invalid TOML: invalid value', suggestion: null},
    ]);
    expect(text.split('\n')).toEqual([
      'capsule.toml:12:3 services.api.restrat: unknown key (did you mean "restart"?)',
      'capsule.toml:4 project.version: expected a string, got number 1',
      '/p/capsule.toml project: missing table [project]',
      'capsule.toml:3:11: invalid TOML: invalid value',
    ]);
    expect(formatConfigIssues([])).toBe('');
  });

  test('key paths quote keys that are not bare and index arrays', () => {
    expect(formatKeyPath(['services', 'web.api', 'command', 0])).toBe('services."web.api".command[0]');
    expect(formatKeyPath(['jobs', 1, 'name'])).toBe('jobs[1].name');
  });
});
