#!/usr/bin/env node
// Starts the CLI from dist/cli.cjs (built by `npm install` via `prepare`) with a V8 code cache,
// so a short command spends its time on its work rather than on compiling the CLI's code.
// CommonJS (see bin/package.json): an ES module entry would start Node's ESM loader first,
// several milliseconds of every command.
'use strict';
const {existsSync, readFileSync, writeFileSync} = require('node:fs');
const Module = require('node:module');
const {dirname, join} = require('node:path');
const vm = require('node:vm');

const file = join(__dirname, '..', 'dist', 'cli.cjs');
const cacheFile = `${file}.cache`;
if (!existsSync(file)) {
  process.stderr.write('capsule is not built yet: run `npm install` (or `npm run build`) in its directory.\n');
  process.exit(1);
}

let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // first run after a build: the cache is written below
}
const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {filename: file, cachedData});
const cli = new Module(file);
cli.filename = file;
cli.paths = Module._nodeModulePaths(dirname(file));
// oclif checks package.json's engines with semver as it loads, some milliseconds of every
// command; npm checks them at install. The switch is oclif's own, unset again before any child
// process could inherit it.
const engineWarning = process.env.OCLIF_DISABLE_ENGINE_WARNING;
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
script.runInThisContext().call(cli.exports, cli.exports, Module.createRequire(file), cli, file, dirname(file));
if (engineWarning === undefined) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;
else process.env.OCLIF_DISABLE_ENGINE_WARNING = engineWarning;
cli.loaded = true;
// oclif loads its command table from this file: let it find this instance instead of a second copy.
Module._cache[file] = cli;

cli.exports.main(process.argv.slice(2), {importModule: (url) => import(url)}).finally(() => {
  if (cachedData === undefined || script.cachedDataRejected) {
    try {
      writeFileSync(cacheFile, script.createCachedData());
    } catch {
      // a read-only install still works, only without the cache
    }
  }
});
