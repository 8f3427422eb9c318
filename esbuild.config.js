// Builds dist/ with esbuild and writes the oclif manifest. Run by `npm run build` (and by
// `prepare`, so a clean `npm install` leaves a working `npx capsule`).
// The CLI is bundled into a few files because module resolution dominates a short
// command's start time; type checking is `tsc --noEmit`, separately.
import {build} from 'esbuild';
import {rm, writeFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

// Kept external: tinypool resolves its worker file next to itself, esbuild ships a native
// binary, and the TUI stack is only loaded by the dashboard.
const external = ['tinypool', 'esbuild', 'chokidar', 'fsevents', 'ink', 'ink-*', 'react', 'react/*', 'react-devtools-core', 'yoga-layout', 'typescript', 'ts-node', 'tsx'];

await rm(new URL('dist', import.meta.url), {recursive: true, force: true});
await build({
  absWorkingDir: root,
  entryPoints: {
    cli: 'src/cli/index.ts',
    daemon: 'daemon/main.ts',
    sdk: 'src/sdk/index.ts',
    client: 'src/client/public.ts',
    service: 'src/service/agent.ts',
    'task-worker': 'daemon/worker/task-worker.ts',
    'loader-hooks': 'daemon/worker/loader-hooks.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // CAPSULE_NO_MINIFY=1 keeps the bundle readable for profiling.
  minify: !process.env.CAPSULE_NO_MINIFY,
  // Names survive minification so oclif and stack traces still see real class and function names.
  keepNames: true,
  chunkNames: 'chunks/[name]-[hash]',
  external,
  logLevel: 'warning',
  // Bundled CommonJS dependencies (oclif) call require(); give the ESM output one.
  banner: {js: "import {createRequire as __capsuleCreateRequire} from 'node:module';const require=__capsuleCreateRequire(import.meta.url);"},
});

const {Plugin} = await import('@oclif/core');
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true});
await plugin.load();
await writeFile(new URL('oclif.manifest.json', import.meta.url), JSON.stringify(plugin.manifest));
