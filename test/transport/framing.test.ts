import {describe, expect, it} from 'vitest';
import {LineDecoder, encodeLine} from '../../src/transport/framing.js';
import {CapsuleError} from '../../src/lib/errors.js';

describe('LineDecoder', () => {
  it('reassembles messages split across chunks and splits several in one chunk', () => {
    const decoder = new LineDecoder(1024);
    const bytes = Buffer.concat([encodeLine({a: 1}), encodeLine({b: 'é'}), encodeLine({c: [3]})]);
    const lines = [...decoder.push(bytes.subarray(0, 5)), ...decoder.push(bytes.subarray(5, 13)), ...decoder.push(bytes.subarray(13))];
    expect(lines.map((line) => JSON.parse(line))).toEqual([{a: 1}, {b: 'é'}, {c: [3]}]);
  });

  it('keeps a multi-byte character split across chunks intact', () => {
    const decoder = new LineDecoder(1024);
    const bytes = encodeLine('日本');
    const lines = [...decoder.push(bytes.subarray(0, 2)), ...decoder.push(bytes.subarray(2))];
    expect(JSON.parse(lines[0]!)).toBe('日本');
  });

  it('refuses a message that grows past the cap before its newline, then recovers', () => {
    const decoder = new LineDecoder(10);
    decoder.push(Buffer.from('12345'));
    expect(() => decoder.push(Buffer.from('678901'))).toThrow(CapsuleError);
    expect(decoder.push(Buffer.from('ok\n'))).toEqual(['ok']);
  });
});
