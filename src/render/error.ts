import {formatConfigIssues, type ConfigIssue} from '../config/issues.js';
import type {CapsuleError} from '../lib/errors.js';
import type {Paint} from './style.js';

/** "Error: message", then the config issues it carries (one per line), then the hint. */
export function renderError(error: CapsuleError, paint: Paint): string {
  const lines = [`${paint('red', 'Error:')} ${error.message}`];
  const issues = (error.details as {issues?: ConfigIssue[]} | undefined)?.issues;
  if (Array.isArray(issues) && issues.length > 0) lines.push(...formatConfigIssues(issues).split('\n').map((line) => `  ${line}`));
  if (error.hint) lines.push(`${paint('dim', 'hint:')} ${error.hint}`);
  return lines.join('\n');
}
