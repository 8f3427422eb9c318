import {relative} from 'node:path';
import {formatConfigIssue, type ConfigIssue} from '../config/issues.js';
import type {ProjectSummary} from '../protocol/index.js';
import type {StyleName} from './style.js';

/**
 * Why a project did not load, one line per problem: each capsule.toml issue with its line, key
 * and message (the file relative to the project, whose root the views show beside it), or the
 * error's own lines. Empty for a project without an error.
 */
export function projectErrorLines(project: ProjectSummary): string[] {
  const error = project.error;
  if (!error) return [];
  const issues = configIssues(error.details);
  if (issues) return issues.map((issue) => formatConfigIssue(issue, relative(project.root, issue.file) || issue.file));
  return error.message.split('\n').filter((line) => line.trim() !== '');
}

/**
 * The first problem, and how many issues the file has: what a one-line view (a table row, a
 * tree line) shows. The count comes first because those views cut a long line at its end.
 * Another error shows its first line (a module that threw: the message, not the stack).
 */
export function projectErrorHeadline(project: ProjectSummary): string {
  const [first = 'did not load', ...rest] = projectErrorLines(project);
  return rest.length > 0 && configIssues(project.error?.details) ? `1 of ${rest.length + 1}: ${first}` : first;
}

/** How a one-line view marks a project: its glyph and tone, and what it says before anything else (null when it loaded). */
export function projectMark(project: ProjectSummary): {glyph: string; tone: StyleName; fact: string | null} {
  if (project.status === 'ok') return {glyph: '◆', tone: 'cyan', fact: null};
  // Only while the daemon starts: the project's first load is under way.
  if (project.status === 'loading') return {glyph: '…', tone: 'yellow', fact: 'loading'};
  return {glyph: '✗', tone: 'red', fact: `error: ${projectErrorHeadline(project)}`};
}

/** A config_invalid error's details carry its issues (src/config/issues.ts); anything else has none. */
function configIssues(details: unknown): ConfigIssue[] | null {
  const issues = (details as {issues?: unknown} | null | undefined)?.issues;
  return Array.isArray(issues) && issues.length > 0 && issues.every(isIssue) ? issues : null;
}

function isIssue(value: unknown): value is ConfigIssue {
  const issue = value as Partial<ConfigIssue> | null;
  return typeof issue?.file === 'string' && typeof issue.path === 'string' && typeof issue.message === 'string';
}
