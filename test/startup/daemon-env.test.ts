import {afterEach, describe, expect, it} from 'vitest';
import {daemonEnvironment, dropAddedEnvironment} from '../../src/startup/daemon-env.js';

const NAME = 'MALLOC_MMAP_THRESHOLD_';
const original = process.env[NAME];

afterEach(() => {
  if (original === undefined) delete process.env[NAME];
  else process.env[NAME] = original;
});

describe('the daemon environment', () => {
  it('pins the mmap threshold for the daemon, and the daemon drops it so its services do not inherit it', () => {
    delete process.env[NAME];
    const env = daemonEnvironment('/tmp/home');
    expect(env).toMatchObject({CAPSULE_HOME: '/tmp/home', [NAME]: '131072'});
    dropAddedEnvironment(env);
    expect(env[NAME]).toBeUndefined();
    expect(env.CAPSULE_DAEMON_ADDED_ENV).toBeUndefined();
    expect(env.CAPSULE_HOME).toBe('/tmp/home');
  });

  it("keeps a threshold the starter set itself, for the daemon and its services alike", () => {
    process.env[NAME] = '65536';
    const env = daemonEnvironment('/tmp/home');
    expect(env[NAME]).toBe('65536');
    dropAddedEnvironment(env);
    expect(env[NAME]).toBe('65536');
  });
});
