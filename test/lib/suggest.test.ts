import {describe, expect, it} from 'vitest';
import {didYouMean, editDistance} from '../../src/lib/suggest.js';

describe('suggestions', () => {
  it('measures edit distance', () => {
    expect(editDistance('restart', 'restrat')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests a close candidate and nothing for a distant one', () => {
    expect(didYouMean('restrat', ['restart', 'command', 'cwd'])).toBe('restart');
    expect(didYouMean('max_retry', ['max_retries', 'timeout'])).toBe('max_retries');
    expect(didYouMean('zzzzzz', ['restart', 'command'])).toBeUndefined();
  });
});
