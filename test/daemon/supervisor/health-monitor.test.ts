import {describe, expect, it} from 'vitest';
import {HealthMonitor} from '../../../daemon/supervisor/health-monitor.js';
import type {ProbeResult} from '../../../daemon/supervisor/health-probes.js';
import {FakeClock} from '../core/fake-clock.js';

const health = {probe: {kind: 'heartbeat'} as const, intervalMs: 1000, timeoutMs: 500, failureThreshold: 2, initialDelayMs: 3000};

/** Lets the monitor's awaited probe settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('HealthMonitor', () => {
  it('waits initial_delay, probes every interval after each probe ends, and reports changes', async () => {
    const clock = new FakeClock(0);
    const results: ProbeResult[] = [{ok: true, detail: 'a'}, {ok: false, detail: 'b'}, {ok: false, detail: 'c'}, {ok: true, detail: 'd'}];
    const probed: number[] = [];
    const changes: string[] = [];
    const monitor = new HealthMonitor(health, clock, async () => {
      probed.push(clock.now());
      return results.shift()!;
    }, (status, detail) => changes.push(`${status}:${detail}`));
    monitor.start();
    clock.advance(2999);
    expect(probed).toEqual([]);
    for (let step = 0; step < 4; step++) {
      clock.advance(step === 0 ? 1 : 1000);
      await settle();
    }
    expect(probed).toEqual([3000, 4000, 5000, 6000]);
    expect(changes).toEqual(['healthy:a', 'unhealthy:c', 'healthy:d']);
    expect(monitor.detail).toBe('d');
    monitor.stop();
    expect(clock.pending).toBe(0);
  });

  it('aborts a probe in flight when stopped, and reports nothing after', async () => {
    const clock = new FakeClock(0);
    let aborted = false;
    const changes: string[] = [];
    const monitor = new HealthMonitor({...health, initialDelayMs: 0}, clock, (signal) =>
      new Promise<ProbeResult>((resolve) => signal.addEventListener('abort', () => {
        aborted = true;
        resolve({ok: true, detail: 'late'});
      })),
    (status) => changes.push(status));
    monitor.start();
    clock.advance(0);
    monitor.stop();
    await settle();
    expect(aborted).toBe(true);
    expect(changes).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});
