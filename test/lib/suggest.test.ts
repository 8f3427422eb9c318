import {describe, expect, it} from 'vitest';
import {didYouMean, editDistance, nearestName} from '../../src/lib/suggest.js';

describe('suggestions', () => {
  it('measures edit distance, a swap of neighbours being one edit', () => {
    expect(editDistance('restart', 'restrat')).toBe(1);
    expect(editDistance('shpo', 'shop')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ca', 'abc')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests a close candidate and nothing for a distant one', () => {
    expect(didYouMean('restrat', ['restart', 'command', 'cwd'])).toBe('restart');
    expect(didYouMean('max_retry', ['max_retries', 'timeout'])).toBe('max_retries');
    expect(didYouMean('zzzzzz', ['restart', 'command'])).toBeUndefined();
  });

  it('suggests the key whose words start a longer name, the one with the most words', () => {
    const serviceKeys = ['command', 'restart', 'restart_window', 'stop_signal', 'stop_timeout', 'max_restarts', 'env', 'env_file'];
    expect(didYouMean('restart_policy', serviceKeys)).toBe('restart');
    expect(didYouMean('restart_window_ms', serviceKeys)).toBe('restart_window');
    expect(didYouMean('stop_timeout_ms', serviceKeys)).toBe('stop_timeout');
    expect(didYouMean('env_vars', serviceKeys)).toBe('env');
    expect(didYouMean('timeout_ms', ['compute', 'ram', 'timeout', 'max_retries'])).toBe('timeout');
    expect(didYouMean('shop-api', ['shop', 'billing'])).toBe('shop');
  });

  it('suggests nothing for words that only share a part, end with, or are shorter than a candidate', () => {
    const serviceKeys = ['command', 'restart', 'stop_signal', 'stop_timeout', 'max_restarts', 'max_memory'];
    expect(didYouMean('policy_restart', serviceKeys)).toBeUndefined();
    expect(didYouMean('max_cpu', serviceKeys)).toBeUndefined();
    expect(didYouMean('stop', serviceKeys)).toBeUndefined();
    expect(didYouMean('restarting_policy', serviceKeys)).toBeUndefined();
    expect(didYouMean('restart', ['restart_window'])).toBeUndefined();
  });

  it('takes a name cut short for the one candidate it begins, on the command line only', () => {
    expect(nearestName('tick', ['ticker', 'api'])).toBe('ticker');
    expect(nearestName('tic', ['ticker', 'tickets'])).toBeUndefined();
    expect(nearestName('t', ['ticker'])).toBeUndefined();
    expect(nearestName('apx', ['api', 'apex'])).toBe('api');
    expect(didYouMean('tick', ['ticker'])).toBeUndefined();
  });
});
