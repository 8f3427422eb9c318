import {CapsuleError} from '../lib/errors.js';
import type {KeyPath} from './locator.js';

/** One problem in a capsule.toml, precise enough for an editor to jump to. */
export interface ConfigIssue {
  file: string;
  /** 1-based; null when the problem has no place in the file. A missing key is placed at its table, or at 1:1 when that is missing too. */
  line: number | null;
  column: number | null;
  /** The key path, such as "services.api.restart"; empty for a syntax error. */
  path: string;
  /** What was expected and what was got. */
  message: string;
  /** The key or value the user probably meant. */
  suggestion: string | null;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** "services.api.health.http", "project.entry[1]", `services."my.api"`. */
export function formatKeyPath(path: KeyPath): string {
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      const key = BARE_KEY.test(part) ? part : JSON.stringify(part);
      return index === 0 ? key : `.${key}`;
    })
    .join('');
}

/** One line per issue: `capsule.toml:12:3 services.api.restrat: unknown key (did you mean "restart"?)`. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((issue) => formatConfigIssue(issue)).join('\n');
}

/** One issue's line; `file` as the caller wants it shown (the list views write it relative to the project). */
export function formatConfigIssue(issue: ConfigIssue, file = issue.file): string {
  let where = file;
  if (issue.line !== null) where += `:${issue.line}`;
  if (issue.line !== null && issue.column !== null) where += `:${issue.column}`;
  if (issue.path !== '') where += ` ${issue.path}`;
  const suggestion = issue.suggestion === null ? '' : ` (did you mean "${issue.suggestion}"?)`;
  return `${where}: ${issue.message}${suggestion}`;
}

/** Issues in file order; the ones with no place in the file first. */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** Enough to fix a file by; a generated file with thousands of issues would otherwise make a message of megabytes. */
export const MAX_REPORTED_ISSUES = 50;

export function configInvalid(file: string, issues: ConfigIssue[]): CapsuleError {
  const count = issues.length === 1 ? 'an issue' : `${issues.length} issues`;
  const shown = issues.slice(0, MAX_REPORTED_ISSUES);
  const more = issues.length > shown.length ? `\n… and ${issues.length - shown.length} more` : '';
  return new CapsuleError('config_invalid', `${file} has ${count}:\n${formatConfigIssues(shown)}${more}`, {
    hint: `fix ${issues.length === 1 ? 'it' : 'them'} in ${file}, then reload the project; the README lists every capsule.toml key`,
    details: {file, issues: shown},
  });
}
