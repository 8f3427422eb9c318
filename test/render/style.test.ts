import {describe, expect, it} from 'vitest';
import {truncate} from '../../src/render/style.js';

describe('truncate', () => {
  it('counts code points, not UTF-16 units: a line of astral characters that fits is left whole', () => {
    expect(truncate('😀😀😀', 3)).toBe('😀😀😀');
    expect(truncate('😀😀😀', 2)).toBe('😀…');
  });

  it('cuts with an ellipsis, and leaves what fits (or any line, unbounded) untouched', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 1)).toBe('a');
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', Number.POSITIVE_INFINITY)).toBe('abcdef');
  });
});
