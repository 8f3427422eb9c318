import * as esbuild from 'esbuild';
import vm from 'node:vm';
import {describe, expect, it} from 'vitest';
import {compileSnippet, IMPORT_FUNCTION, SnippetSyntaxError, snippetStack} from '../../../daemon/sessions/snippet.js';

/** A namespace as a session holds it: one realm, snippets run one after another. */
function namespace(modules: Record<string, Record<string, unknown>> = {}) {
  const context = vm.createContext({
    setTimeout,
    [IMPORT_FUNCTION]: (specifier: string) => {
      const module = modules[specifier];
      return module === undefined ? Promise.reject(new Error(`no module ${specifier}`)) : Promise.resolve(module);
    },
  });
  let index = 0;
  return async (code: string): Promise<unknown> => {
    const compiled = await compileSnippet(esbuild, code, ++index);
    try {
      return await (vm.runInContext(compiled.script, context, {filename: compiled.filename}) as Promise<unknown>);
    } catch (error) {
      // The namespace is another realm: its errors are not this realm's Error.
      const thrown = error as {stack?: unknown};
      if (typeof thrown.stack === 'string') thrown.stack = snippetStack(thrown.stack, compiled);
      throw error;
    }
  };
}

describe('compileSnippet', () => {
  it('keeps top-level declarations for later snippets, and lets them be declared again', async () => {
    const run = namespace();
    await run('const a = 1; let b; var c = 3');
    await run('function twice(x) { return x * 2 }\nclass Box { constructor(v) { this.v = v } }');
    await run('const {p, q: [r, ...rest]} = {p: 1, q: [2, 3, 4]}');
    expect(await run('[a, b, c, twice(a), new Box(5).v, p, r, rest]')).toEqual([1, undefined, 3, 2, 5, 1, 2, [3, 4]]);
    await run('const a = "again"');
    expect(await run('a')).toBe('again');
  });

  it('awaits at the top level and returns the last expression, not an earlier one', async () => {
    const run = namespace();
    expect(await run('const wait = (ms) => new Promise((r) => setTimeout(() => r(ms), ms));\nconst got = await wait(5);\ngot + 1;;')).toBe(6);
    expect(await run('const x = 2')).toBeUndefined();
    expect(await run('if (x) { 5 }')).toBeUndefined();
  });

  it('returns a parenthesized last expression, an object literal among them', async () => {
    const run = namespace();
    await run('const got = 42');
    expect(await run('({got, kind: typeof got})')).toEqual({got: 42, kind: 'number'});
    expect(await run('(got + 1) * 2;')).toBe(86);
  });

  it('takes JavaScript as written, semicolons left out, and points its errors at the exact column', async () => {
    const run = namespace();
    expect(await run('let a = 1\nlet b = a + 1\nconst c = b * 2\na + b + c')).toBe(7);
    const error = await run('const ok = 1\nif (ok) {\n    throw new Error("here")\n}').catch((caught: unknown) => caught as Error);
    expect((error as Error).stack).toMatch(/snippet-2\.ts:3:11/);
  });

  it('hoists a function above its use within the snippet', async () => {
    expect(await namespace()('const v = later();\nfunction later() { return 7 }\nv')).toBe(7);
  });

  it('strips TypeScript and keeps an import whose names are not used', async () => {
    const run = namespace({'./util.ts': {default: 'D', helper: (n: number) => n + 1, 'odd name': 9}, 'side-effect': {}});
    await run('import D, {helper as h, "odd name" as odd} from "./util.ts";\nimport * as util from "./util.ts";\nimport "side-effect";\ninterface T { n: number }\nconst t: T = {n: 1};');
    expect(await run('[D, h(t.n), odd, util.helper(2)]')).toEqual(['D', 2, 9, 3]);
    await expect(run('import {x} from "missing"')).rejects.toThrow('no module missing');
  });

  it('imports with import() too, at the top level and inside functions, in JavaScript and TypeScript', async () => {
    const run = namespace({'node:fs': {tag: 'fs'}, './lib.ts': {double: (n: number) => n * 2}});
    expect(await run('const fs = await import("node:fs")\nfs.tag')).toBe('fs');
    await run('async function load(name: string) { return (await import(name)).double }');
    expect(await run('(await load("./lib.ts"))(21)')).toBe(42);
    await expect(run('await import("missing")')).rejects.toThrow('no module missing');
  });

  it('points a thrown error into the snippet\'s own lines, and the namespace lives on', async () => {
    const run = namespace();
    await run('const kept = 1');
    const error = await run('type N = number;\n\nfunction fail(n: N) {\n  throw new Error("boom " + n);\n}\nfail(kept);').catch((caught: unknown) => caught as Error);
    expect((error as Error).name).toBe('Error');
    expect((error as Error).message).toBe('boom 1');
    const stack = (error as Error).stack ?? '';
    expect(stack).toMatch(/at fail \(snippet-2\.ts:4:\d+\)/);
    expect(stack).toMatch(/snippet-2\.ts:6:\d+/);
    // Nothing of the session's own below the snippet.
    expect(stack.split('\n').at(-1)).toContain('snippet-2.ts');
    // Two frames, fail's and the call's: none for the script's own last line, which calls the snippet.
    expect(stack.match(/snippet-2\.ts:\d+:\d+/g)).toHaveLength(2);
    expect(await run('kept + 1')).toBe(2);
  });

  it('refuses an export, naming its line', async () => {
    // The types esbuild strips take lines with them: the line is the one the caller wrote.
    const error = await compileSnippet(esbuild, 'interface A {\n  a: number\n}\nconst a: A = {a: 1};\nexport const b = 2', 1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SnippetSyntaxError);
    expect((error as Error).message).toMatch(/^snippet-1\.ts:5: a snippet cannot export/);
  });

  it('tells an unfinished snippet from a wrong one', async () => {
    const refusal = (code: string, index: number) => compileSnippet(esbuild, code, index).then(() => expect.unreachable('compiled'), (caught: unknown) => caught as SnippetSyntaxError);
    const unfinished = await refusal('function f() {\n  return 1', 3);
    expect(unfinished).toBeInstanceOf(SnippetSyntaxError);
    expect(unfinished.incomplete).toBe(true);
    expect(unfinished.code).toBe('bad_input');
    expect(unfinished.message).toMatch(/^snippet-3\.ts:2:\d+: /);
    const wrong = await refusal('const = 1', 4);
    expect(wrong.incomplete).toBe(false);
    expect(wrong.message).toMatch(/^snippet-4\.ts:1:7: .*\n {2}const = 1\n {8}\^/);
  });
});
