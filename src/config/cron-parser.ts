import {createRequire} from 'node:module';
import type {CronExpressionParser} from 'cron-parser';

let parser: typeof CronExpressionParser | undefined;

/**
 * cron-parser (with luxon under it), loaded on first use: a daemon whose projects have no
 * schedules stays about 1 MB smaller without it. It is left out of the bundle and required
 * when the first cron rule is parsed.
 */
export function cronExpressionParser(): typeof CronExpressionParser {
  parser ??= (createRequire(import.meta.url)('cron-parser') as typeof import('cron-parser')).CronExpressionParser;
  return parser;
}
