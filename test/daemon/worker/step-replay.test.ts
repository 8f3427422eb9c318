import {describe, expect, it} from 'vitest';
import {StepReplay} from '../../../daemon/worker/step-replay.js';
import type {DurableOp, DurableReply, MemoStep} from '../../../daemon/worker/protocol.js';
import {NondeterminismError, WaitTimeoutError} from '../../../src/sdk/index.js';

/** A daemon that records every op and answers steps at once, sleeps with `sleepReply`. */
function daemon(sleepReply: DurableReply = {suspend: true}) {
  const ops: DurableOp[] = [];
  const call = async (op: DurableOp): Promise<DurableReply> => {
    ops.push(op);
    if (op.op === 'step') return {done: true};
    if (op.op === 'value') return {done: true, value: `large ${op.key}`};
    return sleepReply;
  };
  return {ops, call};
}

const done = (key: string, index: number, value: unknown): MemoStep => ({key, kind: 'step', index, state: 'succeeded', value});

describe('StepReplay', () => {
  it('runs new steps once each, records their JSON results, and numbers repeated names', async () => {
    const {ops, call} = daemon();
    const replay = new StepReplay([], call, () => null);
    const results = [];
    for (let n = 0; n < 3; n++) results.push(await replay.step('fetch', () => ({n})));
    expect(results).toEqual([{n: 0}, {n: 1}, {n: 2}]);
    expect(ops.map((op) => op.op === 'step' && [op.key, op.index, op.ok && op.json])).toEqual([
      ['fetch#1', 0, '{"n":0}'],
      ['fetch#2', 1, '{"n":1}'],
      ['fetch#3', 2, '{"n":2}'],
    ]);
    replay.checkAllReached();
  });

  it('hands recorded results back without calling the function, and fetches a large one', async () => {
    const {ops, call} = daemon();
    const replay = new StepReplay([done('a#1', 0, 1), {key: 'b#1', kind: 'step', index: 1, state: 'succeeded', large: true}], call, () => null);
    const never = () => {
      throw new Error('a recorded step ran again');
    };
    expect(await replay.step('a', never)).toBe(1);
    expect(await replay.step('b', never)).toBe('large b#1');
    expect(await replay.step('c', () => 3)).toBe(3);
    expect(ops.map((op) => op.op)).toEqual(['value', 'step']);
  });

  it('replays parallel steps in the order they ended, so the calls after them come in the recorded order', async () => {
    // First attempt: fetch-a and fetch-b started together, fetch-b ended first, so save-b was call #3.
    const memo = [done('fetch-b#1', 1, 'B'), done('fetch-a#1', 0, 'A'), done('save-b#1', 2, 'saved B')];
    for (let round = 0; round < 20; round++) {
      const {ops, call} = daemon();
      const replay = new StepReplay(memo, call, () => null);
      const branch = async (name: string) => {
        const fetched = await replay.step(`fetch-${name}`, () => name.toUpperCase());
        return replay.step(`save-${name}`, () => `saved ${fetched}`);
      };
      expect(await Promise.all([branch('a'), branch('b')])).toEqual(['saved A', 'saved B']);
      expect(ops.map((op) => op.op === 'step' && [op.key, op.index])).toEqual([['save-a#1', 3]]);
      replay.checkAllReached();
    }
  });

  it('fails with nondeterminism when a recorded step is renamed, moved, or never reached, even if the task catches it', async () => {
    const renamed = new StepReplay([done('charge#1', 0, 1)], daemon().call, () => null);
    await expect(renamed.step('bill', () => 1)).rejects.toThrow(/recorded step "charge#1" as call #1, but this attempt called step "bill#1" there/);
    expect(() => renamed.checkIntact()).toThrow(NondeterminismError);

    const moved = new StepReplay([done('a#1', 0, 1), done('b#1', 1, 2)], daemon().call, () => null);
    await expect(moved.step('b', () => 2)).rejects.toThrow(/called step "b#1" as call #1, but an earlier attempt recorded step "b#1" as call #2/);

    const dropped = new StepReplay([done('a#1', 0, 1), done('b#1', 1, 2)], daemon().call, () => null);
    await dropped.step('a', () => 1);
    expect(() => dropped.checkAllReached()).toThrow(/step "b#1" was recorded .* returned without calling it/);
  });

  it('suspends at a sleep once the steps already running have ended, and starts no new step meanwhile', async () => {
    const {ops, call} = daemon({suspend: true});
    const replay = new StepReplay([], call, () => null);
    let release!: () => void;
    const slow = replay.step('slow', () => new Promise<string>((resolve) => (release = () => resolve('late'))));
    let suspended = false;
    void replay.suspension.then(() => (suspended = true));
    void replay.sleep('10m');
    await new Promise((resolve) => setTimeout(resolve, 5));
    let started = false;
    void replay.step('after', () => (started = true));
    expect(suspended).toBe(false);
    release();
    expect(await slow).toBe('late');
    await replay.suspension;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(suspended).toBe(true);
    expect(started).toBe(false);
    expect(ops.map((op) => op.op)).toEqual(['sleep', 'step']);
  });

  it('goes on from a sleep that is over and throws the recorded timeout of a wait', async () => {
    const memo: MemoStep[] = [
      {key: 'sleep#1', kind: 'sleep', index: 0, state: 'succeeded', value: null},
      {key: 'go#1', kind: 'wait', index: 1, state: 'failed', error: 'no signal "go" came within 1s'},
    ];
    const replay = new StepReplay(memo, daemon().call, () => null);
    await replay.sleep('1s');
    await expect(replay.waitFor('go', {timeout: '1s'})).rejects.toThrow(WaitTimeoutError);
  });

  it("retries a step's function within the attempt up to its maxRetries, then records the failure", async () => {
    const {ops, call} = daemon();
    const replay = new StepReplay([], call, () => null);
    let tries = 0;
    const flaky = () => {
      tries++;
      if (tries < 3) throw new Error(`try ${tries}`);
      return 'ok';
    };
    expect(await replay.step('flaky', flaky, {maxRetries: 2, backoff: {initial: 1, jitter: false}})).toBe('ok');
    expect(ops[0]).toMatchObject({op: 'step', key: 'flaky#1', ok: true, tries: 3});
    await expect(replay.step('doomed', () => Promise.reject(new Error('no')), {maxRetries: 1, backoff: {initial: 1}})).rejects.toThrow('no');
    expect(ops[1]).toMatchObject({op: 'step', key: 'doomed#1', ok: false, tries: 2, error: {message: 'no'}});
  });

  it('refuses what cannot be kept: a result that is not JSON, a wait without a timeout, bad options', async () => {
    const replay = new StepReplay([], daemon().call, () => null);
    await expect(replay.step('big', () => 10n)).rejects.toThrow(/step "big#1" returned a value that is not JSON/);
    await expect(replay.waitFor('go', {} as never)).rejects.toThrow(/a timeout is required/);
    await expect(replay.prompt('Pick', {timeout: '1h', choices: ['a'], default: 'b'})).rejects.toThrow(/default must be one of the choices/);
    await expect(replay.step('x', () => 1, {maxRetries: -1})).rejects.toThrow(/maxRetries/);
    await expect(replay.sleep('soon')).rejects.toThrow(/expected a duration/);
  });
});
