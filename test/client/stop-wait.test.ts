import {describe, expect, it} from 'vitest';
import {STOP_EXIT_MARGIN_MS, stopWaitMs} from '../../src/client/daemon-process.js';

describe('stopWaitMs', () => {
  it("waits for the daemon's own bound when its services need longer than the timeout", () => {
    expect(stopWaitMs(2_000, 17_000)).toBe(17_000 + STOP_EXIT_MARGIN_MS);
  });

  it('never waits less than the timeout asked, plus the margin', () => {
    expect(stopWaitMs(30_000, 17_000)).toBe(30_000 + STOP_EXIT_MARGIN_MS);
    // A daemon from before issue 13 does not say how long it may take.
    expect(stopWaitMs(10_000, undefined)).toBe(10_000 + STOP_EXIT_MARGIN_MS);
  });
});
