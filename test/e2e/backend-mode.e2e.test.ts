// The harness behind the redis-*.e2e.test.ts files: under CAPSULE_TEST_BACKEND=redis a test home's
// daemon is a node on a redis-server of its own; without it, alone on its files.
import {describe, expect, it} from 'vitest';
import {TestHome} from '../helpers/cli.js';

describe('a test home, as the file store runs it', () => {
  it('is a daemon alone on its files', async () => {
    const home = await TestHome.create();
    try {
      expect((await home.run(['daemon', 'status'])).stdout).toMatch(/node\s+\S+, alone on the file store/);
    } finally {
      await home.cleanup();
    }
  });
});
