import {describe, expect, test} from 'vitest';
import {fromSentError, toSentError} from '../../../daemon/worker/protocol.js';

describe('an error sent from a worker', () => {
  test("names its causes, as fetch's `fetch failed` needs to say which socket error", () => {
    const socket = Object.assign(new Error('other side closed'), {name: 'SocketError', code: 'UND_ERR_SOCKET'});
    const sent = toSentError(new TypeError('fetch failed', {cause: socket}));
    expect(sent).toMatchObject({name: 'TypeError', message: 'fetch failed (cause: SocketError: other side closed [UND_ERR_SOCKET])'});
    expect(fromSentError(sent).message).toBe(sent.message);
  });

  test('follows a chain of causes a few deep, and a cause that is not an Error', () => {
    const deep = new Error('a', {cause: new Error('b', {cause: new Error('c', {cause: new Error('d', {cause: new Error('e')})})})});
    expect(toSentError(deep).message).toBe('a (cause: Error: b) (cause: Error: c) (cause: Error: d)');
    expect(toSentError(new Error('x', {cause: {why: 1}})).message).toBe('x (cause: {"why":1})');
    expect(toSentError(new Error('plain')).message).toBe('plain');
  });
});
