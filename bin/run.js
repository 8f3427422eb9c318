#!/usr/bin/env node
// Starts the CLI from dist/cli.cjs (built by `npm install` via `prepare`) with a V8 code cache,
// so a short command spends its time on its work rather than on compiling the CLI's code.
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import Module, {createRequire} from 'node:module';
import {dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import vm from 'node:vm';

const file = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
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
script.runInThisContext().call(cli.exports, cli.exports, createRequire(file), cli, file, dirname(file));
cli.loaded = true;
// oclif loads its command table from this file: let it find this instance instead of a second copy.
Module._cache[file] = cli;

try {
  await cli.exports.main(process.argv.slice(2), {importModule: (url) => import(url)});
} finally {
  if (cachedData === undefined || script.cachedDataRejected) {
    try {
      writeFileSync(cacheFile, script.createCachedData());
    } catch {
      // a read-only install still works, only without the cache
    }
  }
}
