/**
 * The durable side of `ctx` in a worker: `step`, `sleep`, `sleepUntil`, `waitFor`, `prompt`.
 *
 * Replay. An attempt gets the steps earlier attempts of its run recorded (the memo). A step the
 * memo holds is not run again: its recorded outcome is handed back. The results are handed
 * back in the order the steps first ended, one per turn of the event loop, so code that runs
 * steps in parallel and reacts to whichever ends first takes the same path again; that makes
 * each step's place in the order of calls the same on every attempt, and checkable.
 *
 * Nondeterminism. A step whose key (name#occurrence) was recorded at another place in the call
 * order, or a call at a place where another step was recorded, or a recorded step the attempt
 * never reached before returning, means the code changed between attempts: the attempt fails
 * with a NondeterminismError, which the runner never retries.
 *
 * Suspension. A sleep not over, a wait with no signal yet or a prompt ends the attempt without
 * failing it: no new step starts from then on, the steps already running are let finish (their
 * results recorded), and the attempt reports `suspended`. The runner wakes the run later, and
 * the next attempt replays up to the sleep, which is over by then.
 */
import {setTimeout as delay} from 'node:timers/promises';
import {parseDuration} from '../../src/lib/duration.js';
import {backoffRule, maxRetriesRule} from '../../src/config/task-limits.js';
import {DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy} from '../runner/backoff.js';
import type {PromptOptions, StepOptions, WaitOptions} from '../../src/sdk/context.js';
import {isFatalError} from '../../src/sdk/brand.js';
import {NondeterminismError, WaitTimeoutError} from '../../src/sdk/index.js';
import type {StepKind} from '../../src/protocol/index.js';
import {MAX_STEP_RESULT_BYTES, toSentError, type DurableOp, type DurableReply, type MemoStep} from './protocol.js';

/** After this long with a recorded result held back for an earlier one that no call asks for, the held one goes out anyway (code that is not deterministic must not hang). */
const REPLAY_STALL_MS = 20;

type Call = (op: DurableOp) => Promise<DurableReply>;

interface Replayed extends MemoStep {
  /** Its place in the order the recorded steps ended. */
  order: number;
  visited: boolean;
  deliver: (() => void) | null;
}

export class StepReplay {
  readonly #call: Call;
  readonly #byKey = new Map<string, Replayed>();
  readonly #byIndex = new Map<number, Replayed>();
  /** Recorded outcomes, in the order they ended: handed back in that order. */
  readonly #ended: Replayed[] = [];
  readonly #occurrences = new Map<string, number>();
  #calls = 0;
  #cursor = 0;
  #pumping = false;
  #running = 0;
  #suspended: (() => void) | null = null;
  readonly suspension: Promise<void>;
  #suspending = false;
  #nondeterminism: NondeterminismError | null = null;
  #signal: () => AbortSignal | null;

  constructor(memo: MemoStep[], call: Call, signal: () => AbortSignal | null) {
    this.#call = call;
    this.#signal = signal;
    this.suspension = new Promise((resolve) => (this.#suspended = resolve));
    for (const step of memo) {
      const replayed: Replayed = {...step, order: -1, visited: false, deliver: null};
      this.#byKey.set(step.key, replayed);
      this.#byIndex.set(step.index, replayed);
      if (step.state !== 'waiting') {
        replayed.order = this.#ended.length;
        this.#ended.push(replayed);
      }
    }
  }

  /** The first mismatch with the record this attempt found, even if the task caught it. */
  get nondeterminism(): NondeterminismError | null {
    return this.#nondeterminism;
  }

  /** Throws the mismatch the task caught, if it caught one. */
  checkIntact(): void {
    if (this.#nondeterminism !== null) throw this.#nondeterminism;
  }

  async step<T>(name: string, fn: () => T | Promise<T>, options: StepOptions = {}): Promise<T> {
    if (typeof name !== 'string' || name === '') throw new TypeError(`ctx.step: expected a step name as the first argument, got ${describe(name)}`);
    if (typeof fn !== 'function') throw new TypeError(`ctx.step("${name}"): expected a function as the second argument, got ${describe(fn)}`);
    const policy = stepPolicy(name, options);
    const {key, index} = this.#place(name, 'step');
    const recorded = this.#byKey.get(key);
    if (recorded && recorded.state !== 'waiting') return (await this.#replay(recorded)) as T;
    if (this.#suspending) return never();
    this.#running++;
    try {
      return (await this.#runStep(key, name, index, fn, policy)) as T;
    } finally {
      this.#running--;
      this.#settleSuspension();
    }
  }

  async sleep(duration: unknown): Promise<void> {
    let ms: number;
    try {
      ms = parseDuration(duration as string | number);
    } catch {
      throw new TypeError(`ctx.sleep: expected a duration such as "30s", "10m" or milliseconds, got ${describe(duration)}`);
    }
    await this.#pause('sleep', 'sleep', (key, index) => ({op: 'sleep', key, name: 'sleep', index, until: Date.now() + ms}));
  }

  async sleepUntil(time: unknown): Promise<void> {
    const at = time instanceof Date ? time.getTime() : typeof time === 'string' ? Date.parse(time) : typeof time === 'number' ? time : Number.NaN;
    if (!Number.isFinite(at)) throw new TypeError(`ctx.sleepUntil: expected a Date, an ISO 8601 string or milliseconds since the epoch, got ${describe(time)}`);
    await this.#pause('sleep', 'sleep', (key, index) => ({op: 'sleep', key, name: 'sleep', index, until: at}));
  }

  async waitFor(name: unknown, options: WaitOptions): Promise<unknown> {
    if (typeof name !== 'string' || name === '') throw new TypeError(`ctx.waitFor: expected a signal name, got ${describe(name)}`);
    const timeoutMs = requiredTimeout(`ctx.waitFor("${name}")`, options);
    return this.#pause(name, 'wait', (key, index) => ({op: 'wait', key, name, index, timeoutMs}));
  }

  async prompt(question: unknown, options: PromptOptions): Promise<string> {
    if (typeof question !== 'string' || question.trim() === '') throw new TypeError(`ctx.prompt: expected a question, got ${describe(question)}`);
    const timeoutMs = requiredTimeout('ctx.prompt', options);
    const choices = options.choices ?? null;
    if (choices !== null && (!Array.isArray(choices) || choices.length === 0 || !choices.every((choice) => typeof choice === 'string' && choice !== ''))) {
      throw new TypeError(`ctx.prompt: choices must be a non-empty array of non-empty strings, got ${describe(choices)}`);
    }
    const fallback = options.default ?? null;
    if (fallback !== null && (typeof fallback !== 'string' || (choices !== null && !choices.includes(fallback)))) {
      throw new TypeError(`ctx.prompt: default must be ${choices === null ? 'a string' : `one of the choices (${choices.join(', ')})`}, got ${describe(fallback)}`);
    }
    const name = options.name ?? 'prompt';
    if (typeof name !== 'string' || name === '') throw new TypeError(`ctx.prompt: name must be a non-empty string, got ${describe(name)}`);
    const secret = options.secret === true;
    return (await this.#pause(name, 'prompt', (key, index) => ({op: 'prompt', key, name, index, timeoutMs, question, choices, default: fallback, secret}))) as string;
  }

  /** The attempt's function returned: every recorded step must have been reached. */
  checkAllReached(): void {
    for (const recorded of this.#byKey.values()) {
      if (!recorded.visited) {
        throw this.#mismatch(`step "${recorded.key}" was recorded by an earlier attempt (call #${recorded.index + 1}) but this attempt returned without calling it; was it renamed or removed? Restart the run to run the new code from its first step.`);
      }
    }
  }

  /** The key and place of the next call of a step named `name`, checked against the record. */
  #place(name: string, kind: StepKind): {key: string; index: number} {
    const occurrence = (this.#occurrences.get(name) ?? 0) + 1;
    this.#occurrences.set(name, occurrence);
    const key = `${name}#${occurrence}`;
    const index = this.#calls++;
    const recorded = this.#byKey.get(key);
    const atPlace = this.#byIndex.get(index);
    if (recorded && (recorded.index !== index || recorded.kind !== kind)) {
      throw this.#mismatch(
        `this attempt called ${kind} "${key}" as call #${index + 1}, but an earlier attempt recorded ${recorded.kind} "${key}" as call #${recorded.index + 1}${atPlace ? ` and ${atPlace.kind} "${atPlace.key}" as call #${index + 1}` : ''}; the task's steps changed between attempts. Restart the run to run the new code from its first step.`,
      );
    }
    if (!recorded && atPlace) {
      throw this.#mismatch(
        `an earlier attempt recorded ${atPlace.kind} "${atPlace.key}" as call #${index + 1}, but this attempt called ${kind} "${key}" there; was the step renamed or removed? Restart the run to run the new code from its first step.`,
      );
    }
    if (recorded) recorded.visited = true;
    return {key, index};
  }

  #mismatch(message: string): NondeterminismError {
    this.#nondeterminism ??= new NondeterminismError(message);
    return this.#nondeterminism;
  }

  /** A recorded outcome, handed back in its turn. */
  async #replay(recorded: Replayed): Promise<unknown> {
    await new Promise<void>((resolve) => {
      recorded.deliver = resolve;
      this.#pump();
    });
    // Failed steps are run again, so only a wait or prompt that timed out is recorded as failed.
    if (recorded.state === 'failed') throw new WaitTimeoutError(recorded.error ?? `${recorded.kind} "${recorded.key}" timed out`);
    if (recorded.large) return (await this.#call({op: 'value', key: recorded.key}) as {value: unknown}).value;
    return recorded.value;
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    let stalledSince: number | null = null;
    const turn = (): void => {
      while (this.#cursor < this.#ended.length && this.#ended[this.#cursor]!.deliver === null && this.#ended[this.#cursor]!.visited) this.#cursor++;
      const next = this.#ended[this.#cursor];
      if (next === undefined) {
        this.#pumping = false;
        return;
      }
      let due: Replayed | undefined = next.deliver !== null ? next : undefined;
      if (due === undefined) {
        // The next in order is not asked for (yet): wait a little for its call, then hand out the first that is.
        stalledSince ??= performance.now();
        if (performance.now() - stalledSince >= REPLAY_STALL_MS) due = this.#ended.find((step) => step.deliver !== null);
        if (due === undefined) {
          if (!this.#ended.some((step) => step.deliver !== null)) {
            this.#pumping = false;
            return;
          }
          setImmediate(turn);
          return;
        }
      }
      stalledSince = null;
      const deliver = due.deliver!;
      due.deliver = null;
      if (due === next) this.#cursor++;
      deliver();
      // One per turn: what the code does with this result (its next calls) comes before the next result.
      setImmediate(turn);
    };
    setImmediate(turn);
  }

  async #runStep(key: string, name: string, index: number, fn: () => unknown, policy: {maxRetries: number; backoff: BackoffPolicy}): Promise<unknown> {
    const startedAt = Date.now();
    for (let tries = 1; ; tries++) {
      let outcome: {ok: true; json: string} | {ok: false; error: unknown};
      try {
        outcome = {ok: true, json: stepJson(key, await fn())};
      } catch (error) {
        outcome = {ok: false, error};
      }
      const durationMs = Date.now() - startedAt;
      if (outcome.ok) {
        await this.#call({op: 'step', key, name, index, ok: true, json: outcome.json, tries, startedAt, durationMs});
        return JSON.parse(outcome.json) as unknown;
      }
      const signal = this.#signal();
      if (tries <= policy.maxRetries && !isFatalError(outcome.error) && !signal?.aborted) {
        // A cancel or timeout cuts the backoff short; the step's failure is then recorded below.
        await delay(backoffDelay(policy.backoff, tries, Math.random), undefined, signal ? {signal} : {}).catch(() => {});
        continue;
      }
      await this.#call({op: 'step', key, name, index, ok: false, error: toSentError(outcome.error), tries, startedAt, durationMs});
      throw outcome.error;
    }
  }

  /** A sleep, wait or prompt: replayed if over, else recorded, and the attempt suspends unless the daemon has its outcome already. */
  async #pause(name: string, kind: StepKind, op: (key: string, index: number) => DurableOp): Promise<unknown> {
    const {key, index} = this.#place(name, kind);
    const recorded = this.#byKey.get(key);
    if (recorded && recorded.state !== 'waiting') return this.#replay(recorded);
    if (this.#suspending) return never();
    this.#running++;
    let reply: DurableReply;
    try {
      reply = await this.#call(op(key, index));
    } finally {
      this.#running--;
    }
    if ('done' in reply) {
      this.#settleSuspension();
      if (reply.timedOut !== undefined) throw new WaitTimeoutError(reply.timedOut);
      return reply.value;
    }
    this.#suspending = true;
    this.#settleSuspension();
    return never();
  }

  #settleSuspension(): void {
    if (this.#suspending && this.#running === 0) this.#suspended?.();
  }
}

function stepPolicy(name: string, options: StepOptions): {maxRetries: number; backoff: BackoffPolicy} {
  if (typeof options !== 'object' || options === null) throw new TypeError(`ctx.step("${name}"): options must be an object such as {maxRetries: 3}, got ${describe(options)}`);
  let maxRetries = 0;
  if (options.maxRetries !== undefined) {
    const checked = maxRetriesRule(options.maxRetries);
    if (!checked.ok) throw new TypeError(`ctx.step("${name}"): maxRetries: ${checked.message}`);
    maxRetries = checked.value;
  }
  let backoff = DEFAULT_BACKOFF;
  if (options.backoff !== undefined) {
    const checked = backoffRule(options.backoff);
    if (!checked.ok) throw new TypeError(`ctx.step("${name}"): backoff${checked.key ? `.${checked.key}` : ''}: ${checked.message}`);
    backoff = {...DEFAULT_BACKOFF, ...checked.value};
  }
  return {maxRetries, backoff};
}

function stepJson(key: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    throw new TypeError(`step "${key}" returned a value that is not JSON (${(error as Error).message}); a step's result is stored as JSON: return plain objects, arrays, strings, numbers, booleans or null`);
  }
  if (json === undefined) throw new TypeError(`step "${key}" returned a ${typeof value}, which is not JSON; return plain objects, arrays, strings, numbers, booleans or null`);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_STEP_RESULT_BYTES) {
    throw new RangeError(`step "${key}" returned ${(bytes / 1048576).toFixed(1)} MiB of JSON, over the ${MAX_STEP_RESULT_BYTES / 1048576} MiB limit of a step's result; write large data to a file and return its path`);
  }
  return json;
}

function requiredTimeout(what: string, options: WaitOptions | undefined): number {
  if (typeof options !== 'object' || options === null || options.timeout === undefined) {
    throw new TypeError(`${what}: a timeout is required, e.g. {timeout: "1h"}: a run must not wait forever`);
  }
  try {
    const ms = parseDuration(options.timeout);
    if (ms > 0) return ms;
  } catch {
    // Said below.
  }
  throw new TypeError(`${what}: timeout must be a duration such as "30m" or "24h", got ${describe(options.timeout)}`);
}


function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' || typeof value === 'function' ? `a ${typeof value}` : String(value);
}
