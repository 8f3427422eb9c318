// Each patch of a dependency in src/startup/ holds only while the dependency still does what the
// patch expects: these fail when an upgrade of oclif, node-ipc or Ink moves the code a patch
// rewrites or intercepts, and when the built bundle (dist/, built by the global setup) no longer
// carries the patch.
import {execFileSync} from 'node:child_process';
import {readFileSync, readdirSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {describe, expect, it} from 'vitest';
import {LAZY_FOR_OCLIF, LOCALE_SORT, NEVER_IN_CI, sortCommandsByCodePoint} from '../../src/startup/esbuild-plugins.js';
import {ROOT} from '../helpers/cli.js';

const installed = (pkg: string, file: string) => readFileSync(join(ROOT, 'node_modules', pkg, file), 'utf8');
const DIST = join(ROOT, 'dist');

/** The inputs esbuild put in a bundle, from its source map: repository paths, `node_modules/…`, or a plugin's `namespace:path`. */
function bundledSources(bundle: string): string[] {
  const file = join(DIST, bundle);
  const {sources} = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as {sources: string[]};
  return sources.map((source) => {
    if (/^[\w-]+:/.test(source)) return source;
    const path = relative(ROOT, resolve(dirname(file), source));
    const dependency = path.lastIndexOf('node_modules/');
    return dependency === -1 ? path : path.slice(dependency);
  });
}
const esmBundles = ['daemon.js', 'tui.js', 'client.js', 'service.js', ...readdirSync(join(DIST, 'chunks')).filter((file) => file.endsWith('.js')).map((file) => `chunks/${file}`)];

describe('code-point command sort (oclif)', () => {
  it("finds oclif's localeCompare sort of the command table where it rewrites it", () => {
    expect(installed('@oclif/core', 'lib/config/plugin.js')).toContain(LOCALE_SORT);
  });

  it('fails the build on a plugin.js without that sort', () => {
    expect(() => sortCommandsByCodePoint('commands.sort((a, b) => a.id < b.id)', 'plugin.js')).toThrow(/plugin\.js no longer sorts commands with localeCompare/);
  });

  it("orders every command id of the manifest as oclif's localeCompare did", () => {
    const ids = Object.keys((JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}).commands);
    expect(ids.length).toBeGreaterThan(20);
    const patched = sortCommandsByCodePoint(`module.exports = (list) => list${LOCALE_SORT};`, 'plugin.js');
    const sort = new Function('module', `${patched}; return module.exports;`)({}) as (list: {id: string}[]) => {id: string}[];
    const reversed = ids.map((id) => ({id})).reverse();
    expect(sort([...reversed]).map(({id}) => id)).toEqual([...reversed].sort((a, b) => a.id.localeCompare(b.id)).map(({id}) => id));
  });
});

describe('oclif dependencies loaded on first use', () => {
  it('are still required by oclif from @oclif/core, where the lazy plugin intercepts them', () => {
    expect(installed('@oclif/core', 'lib/ux/action/spinner.js')).toContain('require("cli-spinners")');
    expect(installed('@oclif/core', 'lib/config/config.js')).toContain('require("ejs")');
    expect(installed('@oclif/core', 'lib/help/util.js')).toContain('require("ejs")');
    expect(installed('@oclif/core', 'lib/config/plugin.js')).toContain('require("tinyglobby")');
  });

  it('are left out of the CLI bundle, behind a stand-in that requires them when used', () => {
    const sources = bundledSources('cli.cjs');
    for (const name of LAZY_FOR_OCLIF) {
      expect(sources).toContain(`lazy:${name}`);
      expect(sources.filter((source) => source.startsWith(`node_modules/${name}/`))).toEqual([]);
    }
  });
});

describe('debug only when DEBUG asks (oclif)', () => {
  it("is still oclif's logger", () => {
    expect(installed('@oclif/core', 'lib/logger.js')).toContain('require("debug")');
  });

  it("replaces oclif's import of debug in the CLI bundle", () => {
    expect(bundledSources('cli.cjs')).toContain('debug-when-asked:debug');
  });
});

// Capsule's own TLS (remote agents) is loaded with import() where it is used, so no bundle loads it at start either.
describe("node-ipc's unused TLS transport", () => {
  const IMPORT_OF = (module: string) => new RegExp(`(require\\(|from ?)"(node:)?${module}"`);

  it('is still imported by node-ipc, where the stub replaces it', () => {
    expect(installed('node-ipc', 'dao/client.js')).toMatch(/^import tls from 'tls';$/m);
    expect(installed('node-ipc', 'dao/socketServer.js')).toMatch(/^import tls from 'tls';$/m);
  });

  it('is imported by no bundle, the stub being bundled in its place', () => {
    const cli = readFileSync(join(DIST, 'cli.cjs'), 'utf8');
    // node-ipc's net import shows that the pattern matches esbuild's output.
    expect(cli).toMatch(IMPORT_OF('net'));
    expect(cli).not.toMatch(IMPORT_OF('tls'));
    expect(bundledSources('cli.cjs')).toContain('src/startup/unused-transports.ts');

    const esm = esmBundles.map((bundle) => readFileSync(join(DIST, bundle), 'utf8'));
    expect(esm.some((code) => IMPORT_OF('net').test(code))).toBe(true);
    expect(esm.filter((code) => IMPORT_OF('tls').test(code))).toEqual([]);
    expect(esmBundles.flatMap(bundledSources)).toContain('src/startup/unused-transports.ts');
  });
});

describe("node-ipc's UDP transport", () => {
  it('needs no stub: node:child_process, which every Capsule process loads, loads dgram', () => {
    const loaded = execFileSync(process.execPath, ['-e', "require('node:child_process'); console.log(process.moduleLoadList.includes('NativeModule dgram'))"], {encoding: 'utf8'});
    expect(loaded.trim()).toBe('true');
  });
});

describe("Ink's CI check", () => {
  it('is still the is-in-ci package', () => {
    expect(installed('ink', 'build/ink.js')).toMatch(/^import isInCi from 'is-in-ci';$/m);
  });

  it('is never-in-ci.ts in the dashboard bundle', () => {
    const sources = bundledSources('tui.js');
    expect(sources).toContain(relative(ROOT, NEVER_IN_CI));
    expect(sources.filter((source) => source.startsWith('node_modules/is-in-ci/'))).toEqual([]);
  });
});
