import type {CatchUpPolicy, OverlapPolicy} from '../../src/config/schedules.js';

/** The most runs one catch-up submits under `catch_up = "all"`. */
export const CATCH_UP_CAP = 100;

/**
 * Which missed fires (ascending) to run after downtime or a wall-clock jump: none, the most
 * recent, or all, counting only those inside the window before `now`.
 */
export function catchUpFires(policy: CatchUpPolicy, missed: readonly number[], now: number, windowMs: number): number[] {
  const inWindow = missed.filter((fire) => fire >= now - windowMs);
  switch (policy) {
    case 'none':
      return [];
    case 'latest':
      return inWindow.slice(-1);
    case 'all':
      return inWindow.slice(-CATCH_UP_CAP);
  }
}

export interface OverlapOutcome {
  submit: number[];
  /** The fire that waits for the previous run to finish. */
  queue: number | undefined;
  skip: number[];
}

/**
 * What happens to fires that fall due together while the schedule's previous run may still be
 * queued or running. Fires due together (a catch-up) go or wait as one: they do not overlap
 * each other, only the run before them. `queue` keeps at most one fire waiting.
 */
export function applyOverlap(policy: OverlapPolicy, fires: readonly number[], previousActive: boolean, queueOccupied: boolean): OverlapOutcome {
  if (policy === 'allow' || !previousActive) return {submit: [...fires], queue: undefined, skip: []};
  if (policy === 'queue' && !queueOccupied && fires.length > 0) {
    return {submit: [], queue: fires[fires.length - 1], skip: fires.slice(0, -1)};
  }
  return {submit: [], queue: undefined, skip: [...fires]};
}

/** A random delay in [0, maxMs], spreading load; `random` returns [0, 1) like Math.random. */
export function jitterDelay(maxMs: number, random: () => number): number {
  return Math.floor(random() * (maxMs + 1));
}
