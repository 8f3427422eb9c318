import {createHash} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {serviceSchema} from '../../../src/config/services.js';
import {definitionFingerprint} from '../../../daemon/supervisor/fingerprint.js';

const parse = (table: Record<string, unknown>) => serviceSchema.parse(table);

describe('definitionFingerprint', () => {
  it('leaves the instance count out: a new count replaces no process', () => {
    expect(definitionFingerprint('/p', parse({command: 'x', instances: 4}))).toBe(definitionFingerprint('/p', parse({command: 'x'})));
  });

  it('is what it was before instances and port existed, for a service declaring neither', () => {
    const {instances: _count, port: _port, ...before} = parse({command: ['node', 'server.js'], env: {A: '1'}});
    const earlier = createHash('sha256').update(JSON.stringify({root: '/p', config: before})).digest('hex').slice(0, 16);
    expect(definitionFingerprint('/p', parse({command: ['node', 'server.js'], env: {A: '1'}}))).toBe(earlier);
  });

  it('changes with the port: each instance listens elsewhere', () => {
    expect(definitionFingerprint('/p', parse({command: 'x', port: 8000}))).not.toBe(definitionFingerprint('/p', parse({command: 'x', port: 9000})));
    expect(definitionFingerprint('/p', parse({command: 'x', port: 8000}))).not.toBe(definitionFingerprint('/p', parse({command: 'x'})));
  });
});
