import {cronExpressionParser} from './cron-parser.js';
import {cronFields} from '../lib/cron-fields.js';
import {z} from 'zod';
import {CapsuleError} from '../lib/errors.js';
import {parseDuration} from '../lib/duration.js';
import {didYouMean} from '../lib/suggest.js';
import {describeValue} from './describe.js';

import {CATCH_UP_POLICIES, OVERLAP_POLICIES, type CatchUpPolicy, type OverlapPolicy} from '../protocol/vocabulary.js';

export type {CatchUpPolicy, OverlapPolicy} from '../protocol/vocabulary.js';

/** A schedule, normalised: the same whether declared in capsule.toml or next to a task in code. */
export interface ScheduleConfig {
  task: string;
  /** As written, trimmed. */
  cron: string;
  /** Canonical IANA name; null runs the schedule in the machine's zone. */
  timezone: string | null;
  input: Record<string, unknown>;
  /** @default "skip" */
  overlap: OverlapPolicy;
  /** @default "latest" */
  catchUp: CatchUpPolicy;
  /** @default 3_600_000 (1h) */
  catchUpWindowMs: number;
  /** @default 0 */
  jitterMs: number;
  /** @default true */
  enabled: boolean;
}

const PREDEFINED_CRONS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly', '@minutely', '@secondly', '@weekdays', '@weekends'];

/** Distinct expressions whose verdict is kept; past it the memo starts over. */
const MAX_CRON_VERDICTS = 1_000;
/** What cronProblem said of each expression: a pure function of the text, and a cron-parser parse per call otherwise (projects share a few crons). */
const cronVerdicts = new Map<string, string | undefined>();

/** Why `expression` is not a cron expression Capsule accepts, or undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
  if (cronVerdicts.has(expression)) return cronVerdicts.get(expression);
  const problem = findCronProblem(expression);
  if (cronVerdicts.size >= MAX_CRON_VERDICTS) cronVerdicts.clear();
  cronVerdicts.set(expression, problem);
  return problem;
}

function findCronProblem(expression: string): string | undefined {
  const text = expression.trim();
  const got = JSON.stringify(expression);
  if (text.startsWith('@')) {
    if (PREDEFINED_CRONS.includes(text)) return undefined;
    const suggestion = didYouMean(text, PREDEFINED_CRONS);
    return `invalid cron expression: expected one of ${PREDEFINED_CRONS.join(', ')}, got ${got}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
  }
  // cron-parser fills in missing fields, so "* * *" would quietly mean every minute.
  const fieldCount = cronFields(text).length;
  if (fieldCount !== 5 && fieldCount !== 6) {
    return `invalid cron expression: expected 5 fields (minute hour day month weekday) or 6 with seconds first, got ${fieldCount} in ${got}`;
  }
  // Outside the try: a broken install is not a bad cron rule.
  const parser = cronExpressionParser();
  try {
    parser.parse(text, {tz: 'UTC', currentDate: 0});
    return undefined;
  } catch (error) {
    return `invalid cron expression ${got}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The canonical IANA name for `zone`, or undefined when this Node's time-zone data does not know it. */
export function canonicalZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', {timeZone: zone}).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function zoneProblem(zone: string): string {
  const suggestion = didYouMean(zone, Intl.supportedValuesOf('timeZone'));
  return `unknown time zone: expected an IANA name like "Europe/Paris" or "UTC", got ${describeValue(zone)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
}

const cronField = z.string().transform((value, ctx) => {
  const problem = cronProblem(value);
  if (problem !== undefined) ctx.addIssue({code: 'custom', message: problem});
  return value.trim();
});

const zoneField = z
  .string()
  .nullable()
  .default(null)
  .transform((value, ctx) => {
    if (value === null) return null;
    const canonical = canonicalZone(value);
    if (canonical === undefined) ctx.addIssue({code: 'custom', message: zoneProblem(value)});
    return canonical ?? value;
  });

function durationField(what: string, fallback: string | number) {
  return z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, ctx) => {
      try {
        return parseDuration(value, what);
      } catch (error) {
        ctx.addIssue({code: 'custom', message: error instanceof Error ? error.message : String(error)});
        return 0;
      }
    });
}

const sharedFields = {
  cron: cronField,
  timezone: zoneField,
  input: z.record(z.string(), z.unknown()).default({}),
  overlap: z.enum(OVERLAP_POLICIES).default('skip'),
  jitter: durationField('jitter', 0),
  enabled: z.boolean().default(true),
};

/** One `[schedules.NAME]` table of capsule.toml. Strict: the config layer turns unknown keys into "did you mean". */
export const scheduleSchema = z
  .strictObject({
    task: z.string().min(1, 'expected the name of a task in this project'),
    ...sharedFields,
    catch_up: z.enum(CATCH_UP_POLICIES).default('latest'),
    catch_up_window: durationField('catch_up_window', '1h'),
  })
  .transform(
    (value): ScheduleConfig => ({
      task: value.task,
      cron: value.cron,
      timezone: value.timezone,
      input: value.input,
      overlap: value.overlap,
      catchUp: value.catch_up,
      catchUpWindowMs: value.catch_up_window,
      jitterMs: value.jitter,
      enabled: value.enabled,
    }),
  );

const taskScheduleObject = z.strictObject({
  name: z.string().min(1).optional(),
  ...sharedFields,
  catchUp: z.enum(CATCH_UP_POLICIES).default('latest'),
  catchUpWindow: durationField('catchUpWindow', '1h'),
});

/** The `schedule` option of `task()`: a cron expression, or the full form with camelCase keys. */
export type TaskScheduleOption = string | z.input<typeof taskScheduleObject>;

/**
 * Normalises a task's `schedule` option into the same ScheduleConfig as a capsule.toml table.
 * The schedule is named after the task unless it gives a `name`.
 */
export function scheduleFromTask(taskName: string, option: unknown): {name: string; schedule: ScheduleConfig} {
  const parsed = taskScheduleObject.safeParse(typeof option === 'string' ? {cron: option} : option);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = ['schedule', ...issue.path.map(String)].join('.');
      if (issue.code !== 'unrecognized_keys') return `${where}: ${issue.message}`;
      return issue.keys
        .map((key) => {
          const suggestion = didYouMean(key, Object.keys(taskScheduleObject.shape));
          return `${where}: unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
        })
        .join('; ');
    });
    throw new CapsuleError('config_invalid', `task "${taskName}" has an invalid schedule: ${problems.join('; ')}`, {
      hint: 'give schedule as a cron string like "0 3 * * *" or {cron, timezone, overlap, catchUp, catchUpWindow, jitter, input, enabled}',
      details: parsed.error.issues,
    });
  }
  const {name, catchUp, catchUpWindow, jitter, ...rest} = parsed.data;
  return {
    name: name ?? taskName,
    schedule: {task: taskName, ...rest, catchUp, catchUpWindowMs: catchUpWindow, jitterMs: jitter},
  };
}
