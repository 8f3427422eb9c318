import {formatDuration} from '../../src/lib/duration.js';
import {badInput, CapsuleError} from '../../src/lib/errors.js';
import type {RunError, StepRecord} from '../../src/protocol/index.js';
import type {Clock} from '../core/clock.js';
import type {DurableOp, DurableReply, MemoStep} from './executor-api.js';
import {iso} from './run-state.js';
import {MAX_INLINE_STEP_BYTES, type RunStore, type StoredStep} from './run-store.js';
import {MAX_STEP_RESULT_BYTES} from '../worker/protocol.js';

/** Recorded results an attempt gets with its request; the rest it asks for one by one as it replays. */
const MAX_MEMO_INLINE_BYTES = 8 * 1024 * 1024;

export interface RunStepsDeps {
  store: RunStore;
  clock: Clock;
  /** A step was recorded or changed (already on its way to disk). */
  announce(step: StepRecord): void;
}

/**
 * The durable steps of runs, on the daemon's side: records what attempts report (steps that
 * ended, sleeps, waits and prompts reached), hands an attempt what its run recorded, and ends
 * sleeps, waits and prompts when their time, signal or answer comes. Every change is on disk
 * before the attempt that made it is answered. What a run's status becomes is the attempt
 * starter's business; this only says which of a run's steps still wait, and until when.
 */
export class RunSteps {
  readonly #deps: RunStepsDeps;
  /** Per run, the place the next step to end takes in the order steps ended. */
  readonly #nextOrder = new Map<string, number>();

  constructor(deps: RunStepsDeps) {
    this.#deps = deps;
  }

  /** What the run's next attempt replays: the steps over, in the order they ended, then those still waiting. */
  memo(runId: string): MemoStep[] {
    const ended: StoredStep[] = [];
    const waiting: MemoStep[] = [];
    for (const step of this.#deps.store.steps(runId)) {
      const {key, kind, status} = step.record;
      if (status === 'waiting') waiting.push({key, kind, index: step.index, state: 'waiting'});
      // A failed ctx.step is run again; a wait or prompt that timed out stays timed out.
      else if (status === 'succeeded' || kind !== 'step') ended.push(step);
    }
    ended.sort((a, b) => a.order! - b.order!);
    let budget = MAX_MEMO_INLINE_BYTES;
    const memo = ended.map((step): MemoStep => {
      const {key, kind, status, resultBytes, error} = step.record;
      const base = {key, kind, index: step.index};
      if (status === 'failed') return {...base, state: 'failed', error: error?.message ?? 'timed out'};
      const bytes = resultBytes ?? 0;
      if (step.file !== undefined || bytes > budget) return {...base, state: 'succeeded', large: true};
      budget -= bytes;
      return {...base, state: 'succeeded', value: step.value ?? null};
    });
    return [...memo, ...waiting];
  }

  /** Records what an attempt of the run reports; resolves with the reply once it is on disk. */
  async apply(runId: string, attempt: number, op: DurableOp): Promise<DurableReply> {
    const {store} = this.#deps;
    if (op.op === 'value') {
      const step = store.step(runId, op.key);
      if (!step || step.record.status !== 'succeeded') throw new CapsuleError('internal', `run ${runId} has no recorded result for step ${op.key}`);
      return {done: true, value: await store.stepValue(step)};
    }
    const existing = store.step(runId, op.key);
    if (existing && existing.record.status !== 'waiting' && (existing.record.status === 'succeeded' || existing.record.kind !== 'step')) {
      // Recorded meanwhile (a signal, an answer, a timeout between the attempt's memo and this call).
      return this.#replyFor(existing);
    }
    const now = this.#deps.clock.now();
    switch (op.op) {
      case 'step': {
        const base = this.#newRecord(runId, attempt, op, 'step', op.startedAt);
        const finished = {finishedAt: iso(op.startedAt + op.durationMs), durationMs: op.durationMs, tries: op.tries};
        if (!op.ok) {
          const error: RunError = {type: 'error', message: op.error.message, stack: op.error.stack};
          await this.#put({record: {...base, ...finished, status: 'failed', error}, index: op.index, order: this.#takeOrder(runId)});
          return {done: true};
        }
        const bytes = Buffer.byteLength(op.json);
        if (bytes > MAX_STEP_RESULT_BYTES) throw badInput(`step "${op.key}" returned ${bytes} bytes of JSON, over the ${MAX_STEP_RESULT_BYTES / 1048576} MiB limit of a step's result`);
        const value = JSON.parse(op.json) as unknown;
        const record: StepRecord = {...base, ...finished, status: 'succeeded', resultBytes: bytes};
        await this.#put({record, index: op.index, order: this.#takeOrder(runId), ...(bytes <= MAX_INLINE_STEP_BYTES ? {value} : {})}, op.json);
        return {done: true};
      }
      case 'sleep': {
        const step = existing ?? {record: {...this.#newRecord(runId, attempt, op, 'sleep', now), until: iso(op.until)}, index: op.index, order: null};
        if (Date.parse(step.record.until!) <= now) {
          await this.#complete(step, {status: 'succeeded', value: null});
          return {done: true};
        }
        if (!existing) await this.#put(step);
        return {suspend: true};
      }
      case 'wait': {
        if (existing) return {suspend: true};
        const record = {...this.#newRecord(runId, attempt, op, 'wait', now), signal: op.name, until: iso(now + op.timeoutMs)};
        const pending = store.signals(runId);
        const signal = pending.find((candidate) => candidate.name === op.name);
        if (signal) {
          await Promise.all([this.#complete({record, index: op.index, order: null}, {status: 'succeeded', value: signal.value}), store.setSignals(runId, pending.filter((candidate) => candidate !== signal))]);
          return {done: true, value: signal.value};
        }
        await this.#put({record, index: op.index, order: null});
        return {suspend: true};
      }
      case 'prompt': {
        if (existing) return {suspend: true};
        const prompt = {question: op.question, choices: op.choices, default: op.default, secret: op.secret};
        await this.#put({record: {...this.#newRecord(runId, attempt, op, 'prompt', now), prompt, until: iso(now + op.timeoutMs)}, index: op.index, order: null});
        return {suspend: true};
      }
    }
  }

  /** The run's sleeps, waits and prompts not over. */
  waiting(runId: string): StoredStep[] {
    return this.#deps.store.steps(runId).filter((step) => step.record.status === 'waiting');
  }

  /** When the first of the run's waiting steps ends by itself (a sleep's end, a timeout), ms; null if none waits. */
  nextWake(runId: string): number | null {
    let next: number | null = null;
    for (const step of this.waiting(runId)) {
      const until = Date.parse(step.record.until!);
      if (next === null || until < next) next = until;
    }
    return next;
  }

  /**
   * Ends the run's sleeps that are over and its waits and prompts that timed out. `ended` says at
   * once whether any did (the records are changed before this returns); `written` resolves once
   * they are on disk. The run may go on before that: should the daemon die first, the next one
   * finds them due again.
   */
  wakeDue(runId: string): {ended: boolean; written: Promise<unknown>} {
    const now = this.#deps.clock.now();
    const due = this.waiting(runId).filter((step) => Date.parse(step.record.until!) <= now);
    const written = Promise.all(
      due.map((step) => {
        if (step.record.kind === 'sleep') return this.#complete(step, {status: 'succeeded', value: null});
        const after = formatDuration(Date.parse(step.record.until!) - Date.parse(step.record.startedAt));
        const message = step.record.kind === 'wait' ? `no signal "${step.record.signal}" came within ${after}` : `no answer to "${step.record.prompt!.question}" came within ${after}`;
        return this.#complete(step, {status: 'failed', error: {type: 'timeout', message, stack: null}});
      }),
    );
    return {ended: due.length > 0, written};
  }

  /**
   * Delivers a signal to the run's wait for it, or keeps it for the wait the run has not reached
   * yet. True when a wait took it.
   */
  async signal(runId: string, name: string, value: unknown): Promise<boolean> {
    const waiting = this.waiting(runId).find((step) => step.record.kind === 'wait' && step.record.signal === name);
    if (waiting) {
      await this.#complete(waiting, {status: 'succeeded', value});
      return true;
    }
    const {store} = this.#deps;
    await store.setSignals(runId, [...store.signals(runId), {name, value, at: iso(this.#deps.clock.now())}]);
    return false;
  }

  /** The run's waiting prompts. */
  prompts(runId: string): StoredStep[] {
    return this.waiting(runId).filter((step) => step.record.kind === 'prompt');
  }

  /** Answers the run's waiting prompt (`key`: which, when several wait); the answer is checked against its choices. */
  async answer(runId: string, key: string | undefined, answer: string): Promise<void> {
    const prompts = this.prompts(runId);
    const keys = prompts.map((step) => step.record.key).join(', ');
    const step = key === undefined ? prompts[0] : prompts.find((candidate) => candidate.record.key === key);
    if (!step) throw badInput(`run ${runId} has no waiting prompt ${key}`, `its waiting prompts: ${keys}`);
    if (key === undefined && prompts.length > 1) throw badInput(`run ${runId} waits for ${prompts.length} answers (${keys}); say which with --step`);
    const prompt = step.record.prompt!;
    const value = answer === '' && prompt.default !== null ? prompt.default : answer;
    if (prompt.choices !== null && !prompt.choices.includes(value)) {
      // A secret is not said back, not even to the one who typed it: the message may be logged or shown.
      const given = prompt.secret ? 'the answer' : JSON.stringify(value);
      throw badInput(`${given} is not one of the choices of "${prompt.question}": ${prompt.choices.join(', ')}`, 'answer with one of them');
    }
    await this.#complete(step, {status: 'succeeded', value});
  }

  /** The run is final: nothing of it is numbered any more. */
  forget(runId: string): void {
    this.#nextOrder.delete(runId);
  }

  #newRecord(runId: string, attempt: number, op: {key: string; name: string}, kind: StepRecord['kind'], startedAt: number): StepRecord {
    return {
      runId,
      key: op.key,
      name: op.name,
      kind,
      status: 'waiting',
      attempt,
      tries: 1,
      startedAt: iso(startedAt),
      finishedAt: null,
      durationMs: null,
      resultBytes: null,
      error: null,
      until: null,
      signal: null,
      prompt: null,
    };
  }

  async #complete(step: StoredStep, outcome: {status: 'succeeded'; value: unknown} | {status: 'failed'; error: RunError}): Promise<void> {
    const now = this.#deps.clock.now();
    const finished = {finishedAt: iso(now), durationMs: Math.max(0, now - Date.parse(step.record.startedAt))};
    if (outcome.status === 'failed') {
      await this.#put({...step, record: {...step.record, ...finished, status: 'failed', error: outcome.error}, order: this.#takeOrder(step.record.runId)});
      return;
    }
    const json = JSON.stringify(outcome.value ?? null);
    // A sleep has no result, and a secret's size is not shown either.
    const sized = step.record.kind !== 'sleep' && step.record.prompt?.secret !== true;
    const record: StepRecord = {...step.record, ...finished, status: 'succeeded', resultBytes: sized ? Buffer.byteLength(json) : null};
    await this.#put({record, index: step.index, order: this.#takeOrder(step.record.runId), value: outcome.value ?? null}, json);
  }

  #put(step: StoredStep, json?: string): Promise<void> {
    const written = this.#deps.store.putStep(step, json);
    this.#deps.announce(step.record);
    return written;
  }

  #takeOrder(runId: string): number {
    let next = this.#nextOrder.get(runId);
    if (next === undefined) {
      next = 0;
      for (const step of this.#deps.store.steps(runId)) if (step.order !== null && step.order >= next) next = step.order + 1;
    }
    this.#nextOrder.set(runId, next + 1);
    return next;
  }

  #replyFor(step: StoredStep): Promise<DurableReply> | DurableReply {
    if (step.record.status === 'failed') return {done: true, timedOut: step.record.error?.message ?? 'timed out'};
    return this.#deps.store.stepValue(step).then((value) => ({done: true, value}));
  }
}
