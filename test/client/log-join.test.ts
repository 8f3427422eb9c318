import {describe, expect, it} from 'vitest';
import {isNew, lastSeq, LogJoin} from '../../src/client/log-join.js';
import {TrackedRun, type RunEvent, type RunSource} from '../../src/client/run-handle.js';
import type {RunLogLine, RunRecord, StepRecord} from '../../src/protocol/index.js';

const numbered = (seq: number) => ({seq, text: `line ${seq}`});

function joined(): {join: LogJoin<{seq: number; text: string}>; shown: number[]} {
  const shown: number[] = [];
  return {join: new LogJoin((line) => shown.push(line.seq)), shown};
}

describe('lastSeq and isNew', () => {
  it('tell a live line the tail already holds from a new one', () => {
    expect(lastSeq([numbered(3), numbered(4)])).toBe(4);
    expect(lastSeq([])).toBe(0);
    expect([isNew(numbered(4), 4), isNew(numbered(5), 4), isNew(numbered(1), 0)]).toEqual([false, true, true]);
  });

  it('count a tail of lines stored before lines were numbered (seq 0) as 0', () => {
    expect(lastSeq([{seq: 0}, {seq: 0}])).toBe(0);
    expect(isNew(numbered(1), lastSeq([{seq: 0}]))).toBe(true);
  });
});

describe('LogJoin', () => {
  it('holds live lines until the tail, then shows the tail and only the lines after it', () => {
    const {join, shown} = joined();
    // Subscribed before the read: 5 and 6 arrived, and the tail read afterwards holds 5 too.
    join.live(numbered(5));
    join.live(numbered(6));
    expect(shown).toEqual([]);
    join.tail([numbered(3), numbered(4), numbered(5)]);
    expect(shown).toEqual([3, 4, 5, 6]);
    join.live(numbered(6));
    join.live(numbered(7));
    expect(shown).toEqual([3, 4, 5, 6, 7]);
  });

  it('shows every live line after an empty tail, and lines of a tail from an older file first', () => {
    const {join, shown} = joined();
    join.live(numbered(1));
    join.tail([]);
    join.live(numbered(2));
    expect(shown).toEqual([1, 2]);

    const old = joined();
    old.join.tail([{seq: 0, text: 'before seqs'}, {seq: 0, text: 'before seqs'}]);
    old.join.live(numbered(1));
    expect(old.shown).toEqual([0, 0, 1]);
  });

  it('takes the first tail only', () => {
    const {join, shown} = joined();
    join.tail([numbered(1)]);
    join.tail([numbered(1)]);
    expect(shown).toEqual([1]);
  });
});

describe('LogJoin of several logs', () => {
  const line = (service: string, seq: number) => ({service, seq});
  function keyed(): {join: LogJoin<{service: string; seq: number}>; shown: string[]} {
    const shown: string[] = [];
    return {join: new LogJoin((shownLine) => shown.push(`${shownLine.service}${shownLine.seq}`), (keyedLine) => keyedLine.service), shown};
  }

  it('numbers each log apart: a line of one never hides a line of another', () => {
    const {join, shown} = keyed();
    join.live(line('a', 41));
    join.live(line('b', 3));
    join.tail([line('a', 40), line('b', 2), line('a', 41)]);
    join.live(line('b', 4));
    join.live(line('a', 41));
    join.live(line('a', 42));
    expect(shown).toEqual(['a40', 'b2', 'a41', 'b3', 'b4', 'a42']);
  });

  it('drops a live line that the reply read but the merge left out', () => {
    const {join, shown} = keyed();
    // b's 7 was read, but the last lines across both were a's: it is older than the tail.
    join.live(line('b', 7));
    join.live(line('b', 8));
    join.tail([line('a', 1), line('a', 2)], new Map([['a', 2], ['b', 7]]));
    expect(shown).toEqual(['a1', 'a2', 'b8']);
  });
});

describe('TrackedRun catching up', () => {
  const record = (status: RunRecord['status']): RunRecord => ({
    id: 'run_1', namespace: 'ns', task: 't', status, input: {}, result: null, error: null, attempts: [],
    createdAt: '2025-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, durationMs: null, cpuMs: null, peakMemoryMb: null, parentId: null,
    priority: 0, wakeAt: null, idempotencyKey: null, idempotencyExpiresAt: null,
  });
  const never = () => new Promise<never>(() => {});
  const source: RunSource = {wait: never, cancel: never, answer: never, signal: never, follow: () => {}};
  const step = (key: string, kind: StepRecord['kind'], status: StepRecord['status']): StepRecord => ({
    runId: 'run_1', key, name: key.split('#')[0]!, kind, status, attempt: 1, tries: 1, startedAt: '2025-01-01T00:00:00.000Z', finishedAt: null, durationMs: null,
    resultBytes: null, error: null, until: null, signal: null, prompt: kind === 'prompt' ? {question: 'Which color?', choices: ['red', 'blue'], default: 'red', secret: false} : null,
  });
  const log = (seq: number): RunLogLine => ({runId: 'run_1', seq, attempt: 1, time: '2025-01-01T00:00:00.000Z', level: 'log', message: `line ${seq}`});

  it('drops the events that arrived while following started and that the log so far holds', () => {
    const run = new TrackedRun(record('queued'), source);
    const seen: RunEvent[] = [];
    run.on((event) => seen.push(event));
    run.push({type: 'log', line: log(2)});
    run.push({type: 'update', run: record('running')});
    run.push({type: 'log', line: log(3)});
    run.caughtUp([log(1), log(2)], record('running'));
    run.push({type: 'log', line: log(4)});
    expect(seen.map((event) => (event.type === 'log' ? event.line.seq : event.type === 'update' ? event.run.status : event.type))).toEqual(['queued', 1, 2, 'running', 3, 4]);
  });

  it('makes a waiting prompt a prompt event, other step changes step events, and a prompt read when following starts is not delivered twice', () => {
    const run = new TrackedRun(record('queued'), source);
    const seen: RunEvent[] = [];
    run.on((event) => seen.push(event));
    run.push({type: 'step', step: step('fetch#1', 'step', 'succeeded')});
    run.push({type: 'prompt', step: step('prompt#1', 'prompt', 'waiting')});
    // The same prompt, read with the run's steps as following caught up.
    run.caughtUp([], record('waiting'), [step('prompt#1', 'prompt', 'waiting'), step('prompt#2', 'prompt', 'waiting')]);
    run.push({type: 'step', step: step('prompt#1', 'prompt', 'succeeded')});
    expect(seen.map((event) => (event.type === 'step' || event.type === 'prompt' ? `${event.type} ${event.step.key} ${event.step.status}` : event.type))).toEqual([
      'update',
      'step fetch#1 succeeded',
      'prompt prompt#1 waiting',
      'update',
      'prompt prompt#2 waiting',
      'step prompt#1 succeeded',
    ]);
  });
});
