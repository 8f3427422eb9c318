import {CapsuleError} from '../lib/errors.js';
import {didYouMean} from '../lib/suggest.js';

/**
 * CPU-time budget per attempt, in ms. It is CPU time, not wall time: a task waiting on the
 * network or a lock spends none of it, so it bounds runaway loops without punishing I/O.
 * MEDIUM equals the default 30s timeout, so a task busy on one core for its whole wall
 * budget still fits. LOW stops a hot loop in work meant to be quick (webhooks, small
 * transforms) within seconds, which matters on a machine with few shared cores. HIGH leaves
 * two minutes of CPU for report builds and parsing batches while still ending a hot loop.
 */
export const COMPUTE_LEVELS = {LOW: 5_000, MEDIUM: 30_000, HIGH: 120_000} as const;

export type ComputeLevel = keyof typeof COMPUTE_LEVELS;

export const COMPUTE_EXPECTED = '"LOW", "MEDIUM", "HIGH" or CPU milliseconds as a positive integer';

/** "LOW" | "MEDIUM" | "HIGH", or a CPU budget in ms, into the CPU budget in ms. */
export function parseCompute(value: string | number): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && Object.hasOwn(COMPUTE_LEVELS, value)) return COMPUTE_LEVELS[value as ComputeLevel];
  const suggestion = suggestComputeLevel(value);
  throw new CapsuleError('bad_input', `invalid compute: expected ${COMPUTE_EXPECTED}, got ${JSON.stringify(value)}`, {
    hint: suggestion === undefined ? 'write LOW, MEDIUM, HIGH or a number of CPU milliseconds such as 10000' : `did you mean "${suggestion}"?`,
  });
}

export function suggestComputeLevel(value: unknown): string | undefined {
  return typeof value === 'string' ? didYouMean(value, Object.keys(COMPUTE_LEVELS)) : undefined;
}
