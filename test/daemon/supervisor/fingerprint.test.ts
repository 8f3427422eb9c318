import {describe, expect, it} from 'vitest';
import {serviceSchema} from '../../../src/config/services.js';
import {definitionFingerprint, processFingerprint} from '../../../daemon/supervisor/fingerprint.js';

const parse = (table: Record<string, unknown>) => serviceSchema.parse(table);

describe('definitionFingerprint', () => {
  it('leaves the instance count out: a new count replaces no process', () => {
    expect(definitionFingerprint('/p', parse({command: 'x', instances: 4}))).toBe(definitionFingerprint('/p', parse({command: 'x'})));
  });

  it('leaves what it watches out: a new watch changes the watcher, not the process', () => {
    expect(definitionFingerprint('/p', parse({command: 'x', watch: ['src/**']}))).toBe(definitionFingerprint('/p', parse({command: 'x'})));
  });

  it('changes with any other key: a reload reconfigures the service', () => {
    expect(definitionFingerprint('/p', parse({command: 'x', restart: 'never'}))).not.toBe(definitionFingerprint('/p', parse({command: 'x'})));
  });
});

describe('processFingerprint', () => {
  it('is the same for declarations that start the same process, whatever else they say', () => {
    const plain = processFingerprint('/p', parse({command: ['node', 'server.js'], env: {A: '1'}}));
    expect(processFingerprint('/p', parse({command: ['node', 'server.js'], env: {A: '1'}, restart: 'never', instances: 3, health: {tcp: '127.0.0.1:9'}}))).toBe(plain);
  });

  it('changes with the program, its directory, its environment and its ports', () => {
    const base = {command: ['node', 'server.js'], env: {A: '1'}};
    const plain = processFingerprint('/p', parse(base));
    for (const changed of [{...base, command: ['node', 'other.js']}, {...base, cwd: 'sub'}, {...base, env: {A: '2'}}, {...base, env_file: '.env'}, {...base, port: 8000}]) {
      expect(processFingerprint('/p', parse(changed)), JSON.stringify(changed)).not.toBe(plain);
    }
    expect(processFingerprint('/q', parse(base))).not.toBe(plain);
  });
});
