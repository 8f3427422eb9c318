import {CapsuleError} from '../../src/lib/errors.js';
import {CronWalls} from './cron-walls.js';
import {instantsOfWallTime, machineZone, offsetAt, transitionBetween, type WallMapping} from './zone.js';

/** Wider than any daylight-saving shift in the tz database (at most two hours). */
const DST_WINDOW_MS = 3 * 3_600_000;
/** The wall-time scan settles within a few steps; more means a bug, not a slow schedule. */
const MAX_SCAN_STEPS = 1_000;
/** `recent()` widens its look-back from this span, doubling, until it holds enough fires. */
const RECENT_INITIAL_SPAN_MS = 60_000;

/**
 * A cron expression bound to a zone: the set of its fire instants, queried from any point.
 *
 * Every query is answered from the expression, never from a previous answer, so there is no
 * drift, and the answer does not depend on where a query starts. Across daylight saving:
 * - a wall time skipped by a spring-forward fires once, moved forward by the gap's length
 *   (02:30 in a 02:00→03:00 gap fires at 03:30), merging with a fire already there;
 * - a wall time repeated by a fall-back fires once, at its first occurrence, unless the
 *   hour field allows every hour (hourly, every minute...): such a schedule follows elapsed
 *   time and fires in both passes, as Vixie cron does for wildcard jobs.
 * cron-parser's own zone handling carries state between iterations, so a fresh query inside
 * a repeated hour gives a second 01:30 and one just after a gap misses it; it is used here
 * on wall times only, in UTC, where there is no daylight saving.
 */
export class CronSchedule {
  readonly expression: string;
  readonly zone: string;
  /** The hour field allows all 24 hours, so the schedule fires in both passes of a repeated hour. */
  readonly everyHour: boolean;
  readonly #walls: CronWalls;

  /** @param seed fixes the values cron-parser picks for `H` fields; the scheduler passes the schedule's key. */
  constructor(expression: string, zone: string | null, seed?: string) {
    this.#walls = CronWalls.of(expression, seed ?? expression);
    this.expression = expression;
    this.zone = zone ?? machineZone();
    this.everyHour = this.#walls.everyHour;
  }

  /** The first fire instant strictly after `from` (epoch ms). */
  next(from: number): number {
    const {zone} = this;
    const offset = offsetAt(zone, from);
    const offsetEarlier = offsetAt(zone, from - DST_WINDOW_MS);
    const offsetLater = offsetAt(zone, from + DST_WINDOW_MS);
    let best = Infinity;
    // Wall times strictly after `floor` are scanned in order below.
    let floor = from + offset;

    if (offsetEarlier < offset) {
      // Sprang forward just before `from`: a wall time in the gap fires a gap's length later, maybe after `from`.
      best = Math.min(best, this.#firstFireAfter(this.#wallAfter(from + offsetEarlier), from));
    }
    if (offsetEarlier > offset && !this.everyHour) {
      // Fell back just before `from`: the rest of the repeated hour already fired in its first pass.
      floor = Math.max(floor, transitionBetween(zone, from - DST_WINDOW_MS, from) + offsetEarlier - 1);
    }
    if (offsetLater < offset && this.everyHour) {
      // Falls back just after `from`: wall times already passed come round again after the transition.
      const transition = transitionBetween(zone, from, from + DST_WINDOW_MS);
      best = Math.min(best, this.#firstFireAfter(this.#wallAfter(transition + offsetLater - 1), from));
    }

    for (let step = 0; step < MAX_SCAN_STEPS; step++) {
      const wall = this.#wallAfter(floor);
      const mapping = instantsOfWallTime(zone, wall);
      const fires = this.#fires(mapping).filter((instant) => instant > from);
      if (fires.length > 0) best = Math.min(best, fires[0]!);
      if (mapping.kind === 'gap') {
        // Later wall times in the gap fire later still, but the first ones after it fire from the transition on.
        const transition = transitionBetween(zone, wall - mapping.offsetAfter, wall - mapping.offsetBefore);
        floor = transition + mapping.offsetAfter - 1;
        continue;
      }
      if (fires.length > 0) return best;
      floor = wall;
    }
    throw new CapsuleError('internal', `no next fire found for cron "${this.expression}" in ${zone} after ${new Date(from).toISOString()}`);
  }

  /** The next `count` fire instants after `from`. */
  upcoming(from: number, count: number): number[] {
    const fires: number[] = [];
    let cursor = from;
    while (fires.length < count) {
      cursor = this.next(cursor);
      fires.push(cursor);
    }
    return fires;
  }

  /** Fire instants in (`after`, `until`], ascending. */
  between(after: number, until: number): number[] {
    const fires: number[] = [];
    for (let fire = this.next(after); fire <= until; fire = this.next(fire)) fires.push(fire);
    return fires;
  }

  /**
   * The latest `limit` fire instants in (`after`, `until`], ascending, and whether earlier ones
   * were left out. Scanning forward from `after` could mean millions of steps for a per-second
   * schedule after a long outage, so the look-back widens from `until` instead.
   */
  recent(after: number, until: number, limit: number): {fires: number[]; more: boolean} {
    // Nothing missed, the common case (a daemon restarted between two fires): one step, not one per doubling of the span.
    if (this.next(after) > until) return {fires: [], more: false};
    for (let span = RECENT_INITIAL_SPAN_MS; ; span *= 2) {
      const start = Math.max(after, until - span);
      const fires = this.between(start, until);
      if (fires.length > limit) return {fires: fires.slice(-limit), more: true};
      if (start === after) return {fires, more: false};
    }
  }

  #wallAfter(wall: number): number {
    return this.#walls.after(wall);
  }

  #fires(mapping: WallMapping): number[] {
    return mapping.kind === 'repeated' && !this.everyHour ? mapping.instants.slice(0, 1) : mapping.instants;
  }

  #firstFireAfter(wall: number, from: number): number {
    return this.#fires(instantsOfWallTime(this.zone, wall)).find((instant) => instant > from) ?? Infinity;
  }
}

/** The next `count` fire instants of `expression` in `zone` (null: the machine's) after `from`. */
export function nextFires(expression: string, zone: string | null, from: number, count: number): number[] {
  return new CronSchedule(expression, zone).upcoming(from, count);
}
