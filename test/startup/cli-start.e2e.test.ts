// What a short command loads as it starts, seen from inside the real `bin/run.js` by
// load-probe.mjs: each start-up trick of src/startup/ leaves a mark there, and loses it when an
// upgrade of Node or a dependency undoes the trick.
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {LAZY_FOR_OCLIF} from '../../src/startup/esbuild-plugins.js';
import {BIN} from '../helpers/cli.js';

interface Probe {
  /** What dist/cli.cjs passed to require(), in order. */
  required: string[];
  cliCompiledByRequire: number;
  codeCache: {given: boolean; rejected: boolean}[];
  localeCompares: number;
  /** Node's built-in modules loaded by the process, from process.moduleLoadList. */
  builtins: string[];
  engineWarningEnv: string | null;
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cap-probe-'));
});
afterAll(async () => {
  await rm(scratch, {recursive: true, force: true});
});

const PROBE = new URL('load-probe.mjs', import.meta.url).href;
let runs = 0;
/** `capsule ARGS` with the probe loaded; no daemon is started (`--no-autostart` where it would be). */
async function probe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Probe & {code: number; stderr: string}> {
  const out = join(scratch, `probe-${++runs}.json`);
  const childEnv: NodeJS.ProcessEnv = {...process.env, CAPSULE_HOME: join(scratch, 'home'), CAPSULE_PROBE_OUT: out, ...env};
  delete childEnv.OCLIF_DISABLE_ENGINE_WARNING;
  // A user's start, not vitest's NODE_ENV=test, under which oclif looks for TypeScript sources.
  delete childEnv.NODE_ENV;
  const {code, stderr} = await new Promise<{code: number; stderr: string}>((done) => {
    execFile(process.execPath, ['--import', PROBE, BIN, ...args], {env: childEnv}, (error, _stdout, stderr) => done({code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stderr}));
  });
  return {...(JSON.parse(await readFile(out, 'utf8')) as Probe), code, stderr};
}

describe('a short command', () => {
  // Unreachable daemon (exit 3): the command table, oclif, node-ipc and the client all load.
  const LIST = ['list', '--json', '--no-autostart'];

  it('runs dist/cli.cjs from its code cache, compiled once', async () => {
    await probe(LIST);
    const started = await probe(LIST);
    expect(started.code, started.stderr).toBe(3);
    expect(started.codeCache).toEqual([{given: true, rejected: false}]);
    expect(started.cliCompiledByRequire).toBe(0);
    // oclif requires the command table from dist/cli.cjs: bin/run.js's instance, from require's cache.
    expect(started.required.filter((request) => request.endsWith('cli.cjs'))).toHaveLength(1);
  });

  it('builds no ICU collator to sort the command table', async () => {
    expect((await probe(LIST)).localeCompares).toBe(0);
  });

  it("loads neither oclif's spinner, templates and globbing, nor TLS", async () => {
    const started = await probe(LIST);
    for (const name of LAZY_FOR_OCLIF) expect(started.required).not.toContain(name);
    expect(started.required).not.toContain('tls');
    expect(started.builtins).not.toContain('tls');
    expect(started.builtins).not.toContain('crypto');
  });

  it("skips oclif's engine check, leaving the environment as it found it", async () => {
    const started = await probe(LIST);
    // oclif's check is its only require of package.json.
    expect(started.required.filter((request) => request.endsWith('package.json'))).toEqual([]);
    expect(started.engineWarningEnv).toBeNull();
  });
});

describe('the dependencies it defers', () => {
  it('load when used: help renders its templates with ejs', async () => {
    const help = await probe(['list', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.required).toContain('ejs');
  });

  it('give DEBUG its output', async () => {
    const debugged = await probe(['list', '--json', '--no-autostart'], {DEBUG: 'oclif:main'});
    expect(debugged.stderr).toMatch(/ oclif:main process\.execPath: /);
  });
});
