import {createHash, randomBytes} from 'node:crypto';
import {CapsuleError} from '../../src/lib/errors.js';
import type {AttemptOutcome} from './executor-api.js';

const ID_RANDOM_BYTES = 5;
/** Random bytes are drawn a block at a time: one call into OpenSSL per 800 run ids instead of one each. */
const RANDOM_BLOCK_BYTES = ID_RANDOM_BYTES * 800;
let random = Buffer.alloc(0);
let randomOffset = 0;

/** "run_" + the time in base 36 (so ids sort by creation) + random hex (so they never collide). */
export function newRunId(now: number): string {
  if (randomOffset + ID_RANDOM_BYTES > random.length) {
    random = randomBytes(RANDOM_BLOCK_BYTES);
    randomOffset = 0;
  }
  const hex = random.toString('hex', randomOffset, randomOffset + ID_RANDOM_BYTES);
  randomOffset += ID_RANDOM_BYTES;
  return `run_${now.toString(36)}${hex}`;
}

/**
 * The id of the run a schedule's cron fire makes: in newRunId's shape, but the same every time
 * for one schedule and instant, so a fire submitted again after a crash finds its first run.
 */
export function fireRunId(schedule: string, fireTime: number): string {
  const hex = createHash('sha256').update(`${schedule}\0${fireTime}`).digest('hex').slice(0, ID_RANDOM_BYTES * 2);
  return `run_${fireTime.toString(36)}${hex}`;
}

const JSON_HINT = 'pass plain objects, arrays, strings, numbers, booleans and null';

/** Inputs are stored and sent as JSON: normalise at submit so a run never holds what cannot be written. */
export function jsonInput(input: unknown): unknown {
  if (input === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch (error) {
    throw new CapsuleError('bad_input', `run input must be JSON-serialisable: ${(error as Error).message}`, {hint: JSON_HINT});
  }
  if (text === undefined) throw new CapsuleError('bad_input', `run input must be JSON-serialisable, got a ${typeof input}`, {hint: JSON_HINT});
  return JSON.parse(text);
}

/** The outcome recorded when the executor breaks its promise never to reject. */
export function crashedOutcome(error: unknown): AttemptOutcome {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? null) : null;
  return {ok: false, error: {type: 'crashed', message: `the executor failed: ${message}`, stack}, fatal: false, cpuMs: null, peakMemoryMb: null};
}
