import {describe, expect, it} from 'vitest';
import {ANNOUNCE_BEAT_MS, lostAfterMs, RemoteRun} from '../../../daemon/supervisor/remote-run.js';
import type {HealthConfig} from '../../../src/config/services.js';
import {FakeClock} from '../core/fake-clock.js';

const health: HealthConfig = {probe: {kind: 'heartbeat'}, intervalMs: 1_000, timeoutMs: 500, failureThreshold: 2, initialDelayMs: 0};

describe('RemoteRun', () => {
  it('announces a beat at most every ANNOUNCE_BEAT_MS, and is lost only after lostAfterMs of silence', async () => {
    const clock = new FakeClock();
    const lost: string[] = [];
    const run = new RemoteRun({address: '203.0.113.1', host: null, pid: 1, version: null, connectedAt: new Date(clock.now()).toISOString()}, health, clock, {healthChanged: () => undefined, lost: (_run, detail) => lost.push(detail)});
    const announced: boolean[] = [];
    for (let beat = 0; beat < 12; beat++) {
      clock.advance(1_000);
      announced.push(run.heartbeat());
    }
    expect(announced.filter(Boolean)).toHaveLength(Math.floor(12_000 / ANNOUNCE_BEAT_MS));
    expect(lostAfterMs(health)).toBe(5_000);
    clock.advance(4_999);
    expect(lost).toEqual([]);
    clock.advance(1);
    expect(lost).toEqual(['no heartbeat from 203.0.113.1 for 5 s']);
    expect(run.isSilent).toBe(true);
    run.heartbeat();
    expect(run.isSilent).toBe(false);
    run.stop();
    expect(clock.pending).toBe(0);
  });
});
