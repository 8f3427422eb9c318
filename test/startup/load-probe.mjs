// Preloaded (`node --import`) into a real `bin/run.js` by startup.e2e.test.ts: records what the
// CLI's start loads and compiles, and writes it as JSON to CAPSULE_PROBE_OUT when the process exits.
import {writeFileSync} from 'node:fs';
import Module from 'node:module';
import vm from 'node:vm';

const isCli = (file) => typeof file === 'string' && /[\\/]dist[\\/]cli\.cjs$/.test(file);
const seen = {required: [], cliCompiledByRequire: 0, codeCache: [], localeCompares: 0};

const load = Module._load;
Module._load = function (request, parent, ...rest) {
  if (isCli(parent?.filename)) seen.required.push(request);
  return load.call(this, request, parent, ...rest);
};
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (isCli(filename)) seen.cliCompiledByRequire++;
  return compile.call(this, content, filename);
};
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    if (isCli(options?.filename)) seen.codeCache.push({given: options.cachedData !== undefined, rejected: this.cachedDataRejected === true});
  }
};
const localeCompare = String.prototype.localeCompare;
String.prototype.localeCompare = function (...args) {
  seen.localeCompares++;
  return localeCompare.apply(this, args);
};

process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((entry) => entry.startsWith('NativeModule ')).map((entry) => entry.slice('NativeModule '.length));
  writeFileSync(process.env.CAPSULE_PROBE_OUT, JSON.stringify({...seen, builtins, engineWarningEnv: process.env.OCLIF_DISABLE_ENGINE_WARNING ?? null}));
});
