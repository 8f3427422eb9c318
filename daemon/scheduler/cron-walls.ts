import type {CronExpression} from 'cron-parser';
import {cronExpressionParser} from '../../src/config/cron-parser.js';
import {cronProblem} from '../../src/config/schedules.js';
import {CapsuleError} from '../../src/lib/errors.js';

/** Distinct expressions kept compiled; past it the memo starts over (a daemon has far fewer). */
const MAX_COMPILED = 1_000;

/**
 * The wall times a cron expression matches, read in UTC (see next-fire.ts), shared by every
 * schedule with the same expression: a fleet of projects on "0 3 * * *" parses it once, and
 * their start-up queries, all near one instant, are answered by one walk of cron-parser (its
 * `next` builds luxon dates, the daemon's costliest step when it arms 500 schedules).
 *
 * Why the memo cannot answer wrong: `after` is a monotone step function whose value `a` is the
 * first match past `wall`, so it is `a` for every wall time from the one that gave `a` up to `a`
 * itself (exclusive). Queries outside that span walk again.
 */
export class CronWalls {
  /** The hour field allows all 24 hours. */
  readonly everyHour: boolean;
  readonly #expression: CronExpression;
  /** after(w) = answer for every w in [from, answer). */
  #known = {from: Infinity, answer: -Infinity};

  private constructor(expression: CronExpression) {
    this.#expression = expression;
    this.everyHour = expression.fields.hour.values.length === 24;
  }

  /**
   * The compiled expression, from the memo when another schedule compiled it (it was valid then,
   * so it is now). `seed` fixes what cron-parser picks for `H` fields, so it is part of the key
   * only where an `H` is. Throws bad_input, saying what is wrong, for an invalid expression.
   */
  static of(expression: string, seed: string): CronWalls {
    const key = expression.includes('H') ? `${expression}\0${seed}` : expression;
    let walls = compiled.get(key);
    if (walls === undefined) {
      const problem = cronProblem(expression);
      if (problem !== undefined) {
        throw new CapsuleError('bad_input', problem, {hint: 'write five fields (minute hour day month weekday), six with seconds first, or @hourly, @daily...'});
      }
      walls = new CronWalls(cronExpressionParser().parse(expression, {tz: 'UTC', currentDate: 0, hashSeed: seed}));
      if (compiled.size >= MAX_COMPILED) compiled.clear();
      compiled.set(key, walls);
    }
    return walls;
  }

  /** The first matching wall time after `wall`. */
  after(wall: number): number {
    const known = this.#known;
    if (wall >= known.from && wall < known.answer) return known.answer;
    this.#expression.reset(new Date(wall));
    const answer = this.#expression.next().getTime();
    this.#known = answer === known.answer ? {from: Math.min(wall, known.from), answer} : {from: wall, answer};
    return answer;
  }
}

const compiled = new Map<string, CronWalls>();
