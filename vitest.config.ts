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
    // e2e tests each spawn a real daemon; two cores cannot run many at once reliably.
    maxWorkers: 2,
    // Ink goes through Vite (not Node) so the alias above reaches its import of is-in-ci.
    server: {deps: {inline: ['ink']}},
  },
});
