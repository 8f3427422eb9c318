import {afterEach, describe, expect, it} from 'vitest';
import {ThreadChannels} from '../../../daemon/executor/thread-channels.js';

let channels: ThreadChannels;
afterEach(() => channels.close());

describe('ThreadChannels', () => {
  it('asks for a port until every worker the attempt may land on has a lasting channel', () => {
    channels = new ThreadChannels();
    expect(channels.needsPort([], 1)).toBe(true);
    const first = channels.open();
    channels.adopt(1, first.main);
    expect(channels.needsPort([1], 1)).toBe(false);
    // A second attempt at once may make the pool start a worker: it brings a port.
    expect(channels.needsPort([1], 2)).toBe(true);
    // A worker still without a channel may take it.
    expect(channels.needsPort([1, 2], 2)).toBe(true);
    channels.adopt(2, channels.open().main);
    expect(channels.needsPort([1, 2], 2)).toBe(false);
  });

  it('closes the channel of a worker that left the pool', async () => {
    channels = new ThreadChannels();
    const {main, worker} = channels.open();
    channels.adopt(7, main);
    const closed = new Promise<void>((resolve) => worker.once('close', () => resolve()));
    expect(channels.needsPort([], 1)).toBe(true);
    await closed;
    // Forgotten too: a worker with that id would need a port again.
    expect(channels.needsPort([7], 1)).toBe(true);
  });

  it('delivers each message to the attempt its token names, with the port it came on', async () => {
    channels = new ThreadChannels();
    const {main, worker} = channels.open();
    const received: unknown[] = [];
    const both = new Promise<void>((resolve) => {
      channels.receive('a.1', (message, port) => {
        received.push(['a', message, port === main]);
        if (received.length === 2) resolve();
      });
      channels.receive('a.2', (message, port) => {
        received.push(['b', message, port === main]);
        if (received.length === 2) resolve();
      });
    });
    worker.postMessage({t: 'log', level: 'info', message: 'one', token: 'a.1'});
    worker.postMessage({t: 'log', level: 'info', message: 'gone', token: 'a.3'});
    worker.postMessage({t: 'log', level: 'info', message: 'two', token: 'a.2'});
    await both;
    expect(received).toEqual([
      ['a', {t: 'log', level: 'info', message: 'one', token: 'a.1'}, true],
      ['b', {t: 'log', level: 'info', message: 'two', token: 'a.2'}, true],
    ]);
    worker.close();
  });
});
