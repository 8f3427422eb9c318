import {describe, expect, it} from 'vitest';
import {formatSize, parseSize} from '../../src/lib/size.js';

describe('parseSize', () => {
  it.each([
    ['64MB', 64 * 1024 ** 2],
    ['2GB', 2 * 1024 ** 3],
    ['512KB', 512 * 1024],
    ['1.5GB', 1.5 * 1024 ** 3],
    ['256mb', 256 * 1024 ** 2],
    ['64MiB', 64 * 1024 ** 2],
    ['100', 100],
    ['100B', 100],
    [4096, 4096],
  ])('parses %j', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each(['', 'MB', '12XB', '-1MB', 'lots'])('rejects %j naming what was expected', (input) => {
    expect(() => parseSize(input, 'ram')).toThrow(`invalid ram: expected a size like "512KB", "64MB" or "2GB", got ${JSON.stringify(input)}`);
  });
});

describe('formatSize', () => {
  it.each([
    [512, '512B'],
    [2048, '2KB'],
    [1.5 * 1024 ** 2, '1.5MB'],
    [48 * 1024 ** 2, '48MB'],
    [3 * 1024 ** 3, '3GB'],
  ])('formats %d as %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});
