import {describe, expect, it} from 'vitest';
import {HealthTracker} from '../../../daemon/supervisor/health-tracker.js';

describe('HealthTracker', () => {
  it('is healthy after one success and unhealthy only after threshold consecutive failures', () => {
    const tracker = new HealthTracker(3);
    expect(tracker.record(true)).toBe('healthy');
    expect(tracker.record(false)).toBeNull();
    expect(tracker.record(false)).toBeNull();
    expect(tracker.record(true)).toBeNull();
    expect(tracker.record(false)).toBeNull();
    expect(tracker.record(false)).toBeNull();
    expect(tracker.record(false)).toBe('unhealthy');
    expect(tracker.record(false)).toBeNull();
    expect(tracker.record(true)).toBe('healthy');
  });

  it('goes from unknown to unhealthy when the service never answers', () => {
    const tracker = new HealthTracker(2);
    expect(tracker.record(false)).toBeNull();
    expect(tracker.status).toBe('unknown');
    expect(tracker.record(false)).toBe('unhealthy');
  });
});
