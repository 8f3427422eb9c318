import {describe, expect, it} from 'vitest';
import {createAttemptContext} from '../../../daemon/worker/context.js';
import type {WorkerLink} from '../../../daemon/worker/link.js';

const silentLink: WorkerLink = {adopted: false, send: () => {}, onMessage: () => {}, close: () => {}};

describe('attempt context: ctx.signal', () => {
  it('is aborted with the reason when the abort came before the task first read it', () => {
    const context = createAttemptContext('run_1', 1, [], silentLink, null);
    const reason = new DOMException('the task ran past its 1s timeout', 'TimeoutError');
    context.abort(reason);
    const {signal} = context.ctx;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it('aborts a signal the task already holds, once, keeping the first reason', () => {
    const context = createAttemptContext('run_1', 1, [], silentLink, null);
    const {signal} = context.ctx;
    expect(signal.aborted).toBe(false);
    const heard: unknown[] = [];
    signal.addEventListener('abort', () => heard.push(signal.reason));
    const first = new DOMException('cancelled', 'AbortError');
    context.abort(first);
    context.abort(new DOMException('later', 'TimeoutError'));
    expect(heard).toEqual([first]);
    expect(context.ctx.signal).toBe(signal);
  });
});
