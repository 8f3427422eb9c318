import {describe, expect, it} from 'vitest';
import type {HealthConfig} from '../../../src/config/services.js';
import {instanceHealth} from '../../../daemon/supervisor/instance-probe.js';

const timing = {intervalMs: 1000, timeoutMs: 500, failureThreshold: 3, initialDelayMs: 0};

describe('instanceHealth', () => {
  it('fills {port} and {instance} with the instance’s own', () => {
    const http: HealthConfig = {probe: {kind: 'http', url: 'http://127.0.0.1:{port}/health?i={instance}', expectStatus: null}, ...timing};
    expect(instanceHealth(http, 2, 8002)?.probe).toEqual({kind: 'http', url: 'http://127.0.0.1:8002/health?i=2', expectStatus: null});
    const tcp: HealthConfig = {probe: {kind: 'tcp', host: 'localhost', port: null}, ...timing};
    expect(instanceHealth(tcp, 1, 9001)?.probe).toEqual({kind: 'tcp', host: 'localhost', port: 9001});
    const exec: HealthConfig = {probe: {kind: 'exec', argv: ['check', '--port={port}', '{instance}']}, ...timing};
    expect(instanceHealth(exec, 3, 7003)?.probe).toEqual({kind: 'exec', argv: ['check', '--port=7003', '3']});
  });

  it('leaves a probe without placeholders, a fixed port and no probe as they are', () => {
    const tcp: HealthConfig = {probe: {kind: 'tcp', host: 'localhost', port: 5432}, ...timing};
    expect(instanceHealth(tcp, 4, 8004)).toEqual(tcp);
    expect(instanceHealth(null, 0, null)).toBeNull();
  });
});
