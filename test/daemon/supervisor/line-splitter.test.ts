import {describe, expect, it} from 'vitest';
import {LineSplitter} from '../../../daemon/supervisor/line-splitter.js';

describe('LineSplitter', () => {
  it('joins lines split across chunks and drops \\r', () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push(Buffer.from('one\r\ntw'))).toEqual(['one']);
    expect(splitter.push(Buffer.from('o\nthree\n\nfo'))).toEqual(['two', 'three', '']);
    expect(splitter.flush()).toBe('fo');
    expect(splitter.flush()).toBeNull();
  });

  it('keeps the start of an overlong line and says how much was cut', () => {
    const splitter = new LineSplitter(10);
    expect(splitter.push(Buffer.from('abcdefgh'))).toEqual([]);
    expect(splitter.push(Buffer.from('ijklmnopqrstuvwxyz\nnext\n'))).toEqual(['abcdefghij …[16 bytes cut]', 'next']);
  });

  it('keeps a multibyte character whole when it arrives in two chunks', () => {
    const bytes = Buffer.from('é\n');
    const splitter = new LineSplitter(100);
    expect(splitter.push(bytes.subarray(0, 1))).toEqual([]);
    expect(splitter.push(bytes.subarray(1))).toEqual(['é']);
  });
});
