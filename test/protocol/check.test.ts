import {describe, expect, it} from 'vitest';
import {checkEvent, checkParams, checkResult} from '../../src/protocol/check.js';

describe('checkParams', () => {
  it('fills in defaults and hands the checked params on', () => {
    expect(checkParams('run.logs', {id: 'run_1'})).toEqual({id: 'run_1', tail: 100, follow: false});
    expect(checkParams('daemon.stop', undefined)).toEqual({timeoutMs: 10_000, leaveServices: false});
  });

  it('refuses with bad_request naming the field, what was expected and what came', () => {
    expect(() => checkParams('service.config.set', {namespace: 'shop', name: 'api', key: 'port', value: 8081})).toThrow(
      expect.objectContaining({code: 'bad_request', message: 'service.config.set: params.value: expected string, got number 8081'}),
    );
    expect(() => checkParams('schedule.next', {namespace: 'shop', name: 'poll', count: 0, extra: true})).toThrow(expect.objectContaining({message: expect.stringMatching(/^schedule\.next: .* \(and 1 more\)$/)}));
    expect(() => checkParams('agent.reply', {session: 's', id: '1', outcome: {ok: 'yes'}})).toThrow(expect.objectContaining({message: expect.stringMatching(/^agent\.reply: params\.outcome.*got an object$/)}));
    // service.logs takes a namespace, a namespace and a name, or neither: not a name alone.
    expect(checkParams('service.logs', {})).toEqual({tail: 100, follow: false});
    expect(() => checkParams('service.logs', {name: 'api'})).toThrow(expect.objectContaining({code: 'bad_request', message: expect.stringContaining('params.name: a name needs its namespace')}));
  });
});

describe('checkResult and checkEvent', () => {
  it('pass what fits the schema and refuse what does not, as internal errors', () => {
    expect(checkResult('schedule.trigger', {runId: null, skipped: false})).toEqual({runId: null, skipped: false});
    expect(() => checkResult('schedule.trigger', {runId: 7, skipped: false})).toThrow(expect.objectContaining({code: 'internal', message: expect.stringContaining('result.runId')}));
    expect(() => checkEvent('service.actionOutput', {})).toThrow(expect.objectContaining({code: 'internal', message: 'event "service.actionOutput" is not in the protocol'}));
    expect(() => checkEvent('action.output', {namespace: 'shop', name: 'api', action: 'flush'})).toThrow(expect.objectContaining({message: expect.stringContaining('data.chunk is required')}));
  });
});
