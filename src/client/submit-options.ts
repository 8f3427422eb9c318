import {parseDelay, parseInstant, runPriority, runStart} from '../lib/submit-checks.js';
import type {ParamsOf} from '../protocol/index.js';

/** A length of time: "90s", "10m", "2h", "1h30m", or milliseconds as a number. */
export type Duration = string | number;

/** How a run is submitted, beyond its target and input. */
export interface SubmitOptions {
  /** Start the run this long after the submit: it is `scheduled` until then. Not with `runAt`. */
  delay?: Duration;
  /** Start the run at this time: a Date, or ISO 8601 text (local time when it has no offset). Not with `delay`. */
  runAt?: Date | string;
  /**
   * While a run of the same task submitted with this key is kept and the key lives, submitting
   * again returns that run (whatever its status) instead of starting another.
   */
  idempotencyKey?: string;
  /** How long the key lives after this submit. @default "24h" */
  idempotencyTtl?: Duration;
  /** Higher runs start first, FIFO among equals: a whole number from -1000 to 1000. @default 0 */
  priority?: number;
}

type SubmitParams = Pick<ParamsOf<'run.submit'>, 'delayMs' | 'runAt' | 'idempotencyKey' | 'idempotencyTtlMs' | 'priority'>;

/** What each option is called where it was given, for the messages: the client's names, or the CLI's flags. */
export type OptionNames = Record<keyof SubmitOptions, string>;

export const CLIENT_OPTION_NAMES: OptionNames = {delay: 'delay', runAt: 'runAt', idempotencyKey: 'idempotencyKey', idempotencyTtl: 'idempotencyTtl', priority: 'priority'};

/** The `run.submit` params of these options (the CLI gives `priority` as its flag's text); a bad value is refused naming it as `names` call it. */
export function submitParams(options: Omit<SubmitOptions, 'priority'> & {priority?: number | string}, names: OptionNames = CLIENT_OPTION_NAMES, now = Date.now()): SubmitParams {
  const params: SubmitParams = {};
  const delayMs = options.delay === undefined ? undefined : parseDelay(options.delay, names.delay);
  const runAt = options.runAt === undefined ? undefined : options.runAt instanceof Date ? options.runAt.getTime() : parseInstant(options.runAt, names.runAt);
  runStart(delayMs, runAt, now, {delay: names.delay, runAt: names.runAt});
  // A delay goes as a delay: the daemon's clock counts it from when it accepts the run.
  if (delayMs !== undefined) params.delayMs = delayMs;
  if (runAt !== undefined) params.runAt = new Date(runAt).toISOString();
  if (options.idempotencyKey !== undefined) params.idempotencyKey = options.idempotencyKey;
  if (options.idempotencyTtl !== undefined) params.idempotencyTtlMs = parseDelay(options.idempotencyTtl, names.idempotencyTtl);
  if (options.priority !== undefined) params.priority = runPriority(options.priority, names.priority);
  return params;
}
