import {expect, it} from 'vitest';
import {frame, FrameReader} from '../../../daemon/sandbox/frames.js';

it('reads back messages whatever the chunking, structured clones included', () => {
  const messages = [{t: 'log', message: 'a'}, {t: 'done', outcome: {ok: true, result: new Uint8Array([1, 2, 3])}}, {at: new Date(0), map: new Map([[1, 'x']])}];
  const bytes = Buffer.concat(messages.map(frame));
  for (const size of [1, 3, 7, bytes.length]) {
    const read: unknown[] = [];
    const reader = new FrameReader((message) => read.push(message), () => {
      throw new Error('no frame here is too large');
    });
    for (let offset = 0; offset < bytes.length; offset += size) reader.push(bytes.subarray(offset, offset + size));
    expect(read).toEqual(messages);
  }
});

it('refuses a frame past its cap from its header, before its bytes arrive, and reads nothing after', () => {
  const read: unknown[] = [];
  const refused: number[] = [];
  const reader = new FrameReader((message) => read.push(message), (bytes) => refused.push(bytes), 1024);
  reader.push(frame({small: true}));
  const big = frame({big: 'x'.repeat(4096)});
  reader.push(big.subarray(0, 6));
  expect(refused).toEqual([big.readUInt32BE(0)]);
  reader.push(big.subarray(6));
  reader.push(frame({after: true}));
  expect(read).toEqual([{small: true}]);
});
