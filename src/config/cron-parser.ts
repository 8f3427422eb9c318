import {createRequire} from 'node:module';
import type {CronExpressionParser} from 'cron-parser';

let parser: typeof CronExpressionParser | undefined;

/**
 * cron-parser, loaded on first use. Loading it reads time-zone data from ICU (several
 * megabytes of resident memory), which a daemon whose projects have no schedules should
 * never pay for; so it stays out of the bundle and is required when a cron rule is parsed.
 */
export function cronExpressionParser(): typeof CronExpressionParser {
  parser ??= (createRequire(import.meta.url)('cron-parser') as typeof import('cron-parser')).CronExpressionParser;
  return parser;
}
