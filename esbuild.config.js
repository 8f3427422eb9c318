// Builds dist/ with esbuild, writes the oclif manifest and warms the CLI's code cache. Run by
// `npm run build` (and by `prepare`, so a clean `npm install` leaves a working `npx capsule`).
// Type checking is `tsc --noEmit`, separately.
//
// A short command's start time is mostly loading code, so the CLI is one CommonJS file
// (dist/cli.cjs) that bin/run.js compiles with a V8 code cache (Node 20 has no module compile
// cache of its own). Everything else is ESM with shared chunks. The patches of dependencies
// that keep start-up short are in src/startup/ (its README says what each buys).
import {execFileSync} from 'node:child_process';
import {build} from 'esbuild';
import {rm, writeFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';
import {aliases, cliPlugins, sharedPlugins} from './src/startup/esbuild-plugins.js';

const root = fileURLToPath(new URL('.', import.meta.url));

// Kept external: tinypool resolves its worker file next to itself, esbuild ships a native
// binary, and Ink only imports the React devtools when asked to.
const external = ['tinypool', 'esbuild', 'chokidar', 'fsevents', 'react-devtools-core', 'typescript', 'ts-node', 'tsx'];

const shared = {
  absWorkingDir: root,
  plugins: sharedPlugins,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // The maps only translate stack positions: leaving the sources out keeps them small to load.
  sourcesContent: false,
  // CAPSULE_NO_MINIFY=1 keeps the bundle readable for profiling.
  minify: !process.env.CAPSULE_NO_MINIFY,
  // Names survive minification so oclif and stack traces still see real class and function names.
  keepNames: true,
  external,
  alias: aliases,
  logLevel: 'warning',
};

await rm(new URL('dist', import.meta.url), {recursive: true, force: true});
await build({
  ...shared,
  entryPoints: {
    daemon: 'daemon/main.ts',
    tui: 'tui/render.tsx',
    sdk: 'src/sdk/index.ts',
    client: 'src/client/public.ts',
    service: 'src/service/agent.ts',
    'service-register': 'src/service/register.ts',
    'service-resolve-hooks': 'src/service/resolve-hooks.ts',
    'task-worker': 'daemon/worker/task-worker.ts',
    'sandbox-worker': 'daemon/worker/sandbox-worker.ts',
    'loader-hooks': 'daemon/worker/loader-hooks.ts',
    'session-host': 'daemon/sessions/session-host.ts',
  },
  outdir: 'dist',
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  // React's development build renders several times slower; it is for React's own debugging.
  define: {'process.env.NODE_ENV': '"production"'},
  // Bundled CommonJS dependencies (oclif) call require(); give the ESM output one.
  banner: {js: "import {createRequire as __capsuleCreateRequire} from 'node:module';const require=__capsuleCreateRequire(import.meta.url);"},
});

await build({
  ...shared,
  plugins: [...sharedPlugins, ...cliPlugins],
  entryPoints: {cli: 'src/cli/index.ts'},
  outfile: 'dist/cli.cjs',
  format: 'cjs',
  // CommonJS has no import.meta: give the code the file URL it expects.
  define: {'import.meta.url': '__capsuleFileUrl'},
  banner: {js: "const __capsuleFileUrl=require('node:url').pathToFileURL(__filename).href;"},
});

// oclif loads the command table from dist/cli.cjs: bin/run.js has put that very module in
// require's cache, and here the build loads it the ordinary way.
createRequire(import.meta.url)('./dist/cli.cjs');
const {Plugin} = await import('@oclif/core');
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true});
await plugin.load();
await writeFile(new URL('oclif.manifest.json', import.meta.url), JSON.stringify(plugin.manifest));

// The first run writes dist/cli.cjs.cache; later runs start from compiled code.
execFileSync(process.execPath, [fileURLToPath(new URL('bin/run.js', import.meta.url)), '--help'], {stdio: 'ignore'});
