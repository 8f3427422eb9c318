#!/usr/bin/env node
// The CLI runs from the esbuild bundle in dist/ (built by `npm install` via `prepare`).
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write('capsule is not built yet: run `npm install` (or `npm run build`) in its directory.\n');
  process.exit(1);
}
await cli.main();
