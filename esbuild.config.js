// Builds dist/ with esbuild, writes the oclif manifest and warms the CLI's code cache. Run by
// `npm run build` (and by `prepare`, so a clean `npm install` leaves a working `npx capsule`).
// Type checking is `tsc --noEmit`, separately.
//
// A short command's start time is mostly loading code, so the CLI is one CommonJS file
// (dist/cli.cjs) that bin/run.js compiles with a V8 code cache (Node 20 has no module compile
// cache of its own). Everything else is ESM with shared chunks.
import {execFileSync} from 'node:child_process';
import {build} from 'esbuild';
import {readFile, rm, writeFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

// Kept external: tinypool resolves its worker file next to itself, esbuild ships a native
// binary, and Ink only imports the React devtools when asked to.
const external = ['tinypool', 'esbuild', 'chokidar', 'fsevents', 'react-devtools-core', 'typescript', 'ts-node', 'tsx'];

/** node-ipc's unused TLS and UDP transports: see src/client/unused-transports.ts. */
const unusedIpcTransports = {
  name: 'unused-ipc-transports',
  setup(build) {
    const stub = fileURLToPath(new URL('src/client/unused-transports.ts', import.meta.url));
    build.onResolve({filter: /^(tls|dgram)$/}, (args) => (args.importer.includes('node-ipc') ? {path: stub} : undefined));
  },
};

/**
 * oclif requires these at load time although a command seldom needs them (the progress
 * spinner, help templates, file globbing for plugin discovery): in the CLI they load on first
 * use instead.
 */
const LAZY_FOR_OCLIF = /^(cli-spinners|ejs|tinyglobby)$/;
const lazyOclifDependencies = {
  name: 'lazy-oclif-dependencies',
  setup(build) {
    build.onResolve({filter: LAZY_FOR_OCLIF}, (args) => {
      if (args.namespace === 'lazy') return {path: args.path, external: true};
      return args.importer.includes('@oclif/core') ? {path: args.path, namespace: 'lazy'} : undefined;
    });
    build.onLoad({filter: /.*/, namespace: 'lazy'}, (args) => ({
      loader: 'js',
      contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
module.exports = new Proxy({}, {get: (_, key) => (key === '__esModule' ? undefined : load()[key]), has: (_, key) => key in load()});`,
    }));
  },
};

/**
 * oclif sorts the command table with localeCompare on every start. The first localeCompare in
 * a process builds an ICU collator, some 6 ms: a third of what a short command spends beyond
 * Node's own start. Command ids are lowercase letters and ":", for which code-point order is
 * the same order.
 */
const codePointCommandSort = {
  name: 'code-point-command-sort',
  setup(build) {
    build.onLoad({filter: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/}, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const sort = '.sort((a, b) => a.id.localeCompare(b.id))';
      if (!source.includes(sort)) throw new Error(`${args.path} no longer sorts commands with localeCompare: review the code-point-command-sort plugin`);
      return {loader: 'js', contents: source.replace(sort, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))')};
    });
  },
};

/**
 * oclif logs through `debug`, whose loading (tty, colour detection) is part of every command's
 * start. `debug` stays silent unless DEBUG is set, so oclif gets silent loggers without loading
 * it then, and the real module when DEBUG asks for its output.
 */
const debugOnlyWhenAsked = {
  name: 'debug-only-when-asked',
  setup(build) {
    build.onResolve({filter: /^debug$/}, (args) => (args.importer.includes('@oclif/core') ? {path: 'debug', namespace: 'debug-when-asked'} : undefined));
    build.onLoad({filter: /.*/, namespace: 'debug-when-asked'}, () => ({
      loader: 'js',
      resolveDir: root,
      contents: `const silent = Object.assign(() => {}, {enabled: false, extend: () => silent});
module.exports = process.env.DEBUG ? require('debug') : () => silent;`,
    }));
  },
};

const shared = {
  absWorkingDir: root,
  plugins: [unusedIpcTransports],
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
  // See tui/never-in-ci.ts.
  alias: {'is-in-ci': './tui/never-in-ci.ts'},
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
    'task-worker': 'daemon/worker/task-worker.ts',
    'loader-hooks': 'daemon/worker/loader-hooks.ts',
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
  plugins: [...shared.plugins, lazyOclifDependencies, codePointCommandSort, debugOnlyWhenAsked],
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
