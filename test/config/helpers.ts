import {expect} from 'vitest';
import {formatConfigIssues, type ConfigIssue} from '../../src/config/index.js';
import {CapsuleError} from '../../src/lib/errors.js';

/** Runs `parse`, which must throw config_invalid, and returns the issues it reported. */
export function issuesFrom(parse: () => unknown): ConfigIssue[] {
  try {
    parse();
  } catch (error) {
    return issuesOf(error);
  }
  throw new Error('expected the config to be refused');
}

/** The issues a config_invalid error carries; its message must list them as formatConfigIssues does. */
export function issuesOf(thrown: unknown): ConfigIssue[] {
  expect(thrown).toBeInstanceOf(CapsuleError);
  const error = thrown as CapsuleError;
  expect(error.code).toBe('config_invalid');
  const {issues} = error.details as {file: string; issues: ConfigIssue[]};
  expect(error.message).toContain(formatConfigIssues(issues));
  return issues;
}

/** The same issues as the one-line-each text users see. */
export function linesFrom(parse: () => unknown): string[] {
  return formatConfigIssues(issuesFrom(parse)).split('\n');
}

/** A file from lines, so each test's line numbers can be read off the array. */
export const toml = (...lines: string[]): string => `${lines.join('\n')}\n`;
