// The build's start-up patches of dependencies (esbuild plugins), used by esbuild.config.js.
// What each buys, as measured, and the test that fails once an upgrade stops it applying:
// src/startup/README.md. Plain JavaScript because esbuild.config.js imports it with plain Node.
import {readFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** See never-in-ci.ts; the dashboard bundle, vitest and the TUI benchmark all resolve Ink's `is-in-ci` here. */
export const NEVER_IN_CI = fileURLToPath(new URL('never-in-ci.ts', import.meta.url));
export const aliases = {'is-in-ci': NEVER_IN_CI};

/** node-ipc's unused TLS transport: see unused-transports.ts. */
export const unusedIpcTransports = {
  name: 'unused-ipc-transports',
  setup(build) {
    const stub = fileURLToPath(new URL('unused-transports.ts', import.meta.url));
    build.onResolve({filter: /^tls$/}, (args) => (args.importer.includes('node-ipc') ? {path: stub} : undefined));
  },
};

/**
 * oclif requires these at load time although a command seldom needs them (the progress
 * spinner, help templates, file globbing for plugin discovery): in the CLI they load on first
 * use instead.
 */
export const LAZY_FOR_OCLIF = ['cli-spinners', 'ejs', 'tinyglobby'];
const lazyFilter = new RegExp(`^(${LAZY_FOR_OCLIF.join('|')})$`);
export const lazyOclifDependencies = {
  name: 'lazy-oclif-dependencies',
  setup(build) {
    build.onResolve({filter: lazyFilter}, (args) => {
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

/** oclif's module that sorts the command table, and the sort it does there. */
export const OCLIF_PLUGIN_MODULE = /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/;
export const LOCALE_SORT = '.sort((a, b) => a.id.localeCompare(b.id))';

/**
 * oclif sorts the command table with localeCompare on every start. The first localeCompare in
 * a process builds an ICU collator, some 6 ms: a third of what a short command spends beyond
 * Node's own start. Command ids are lowercase letters and ":", for which code-point order is
 * the same order. Throws when the source no longer has the sort, so an oclif upgrade that
 * moves it fails the build instead of silently costing every command the collator again.
 */
export function sortCommandsByCodePoint(source, path) {
  if (!source.includes(LOCALE_SORT)) throw new Error(`${path} no longer sorts commands with localeCompare: review the code-point-command-sort plugin (src/startup/esbuild-plugins.js)`);
  return source.replace(LOCALE_SORT, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))');
}

export const codePointCommandSort = {
  name: 'code-point-command-sort',
  setup(build) {
    build.onLoad({filter: OCLIF_PLUGIN_MODULE}, async (args) => ({loader: 'js', contents: sortCommandsByCodePoint(await readFile(args.path, 'utf8'), args.path)}));
  },
};

/**
 * oclif logs through `debug`, whose loading (tty, colour detection) is part of every command's
 * start. `debug` stays silent unless DEBUG is set, so oclif gets silent loggers without loading
 * it then, and the real module when DEBUG asks for its output.
 */
export const debugOnlyWhenAsked = {
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

/** Every bundle: the daemon's, the dashboard's, the SDK's and the CLI's. */
export const sharedPlugins = [unusedIpcTransports];
/** The CLI's bundle only: what a short command loads is its start time. */
export const cliPlugins = [lazyOclifDependencies, codePointCommandSort, debugOnlyWhenAsked];
