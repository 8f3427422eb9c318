import {defineConfig} from 'vitest/config';
import {aliases} from './src/startup/esbuild-plugins.js';

export default defineConfig({
  resolve: {
    // The dashboard bundle swaps Ink's CI check the same way (esbuild.config.js).
    alias: aliases,
  },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/global-setup.ts'],
    // Every daemon the tests start checks its own results and events against the protocol's schemas.
    env: {CAPSULE_PROTOCOL_CHECK: '1'},
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e tests each spawn a real daemon, and many spend much of their time waiting for a clock
    // (a cron's second, a sleep, a timeout): three files at once keep two cores busy (the suite used
    // 133% of them at three, 690 s against 894 s at two) without starving any daemon.
    maxWorkers: 3,
    // Ink goes through Vite (not Node) so the alias above reaches its import of is-in-ci.
    server: {deps: {inline: ['ink']}},
  },
});
