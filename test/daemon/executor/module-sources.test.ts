import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ModuleSources} from '../../../daemon/executor/index.js';

describe('ModuleSources', () => {
  let dir: string;
  let modules: ModuleSources;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capsule-modules-'));
    modules = new ModuleSources();
  });

  afterEach(async () => {
    await modules.close();
    await rm(dir, {recursive: true, force: true});
  });

  it('compiles TypeScript, reads an ES module as written, and leaves other formats to the worker', async () => {
    await writeFile(join(dir, 'a.ts'), 'export const n: number = 1;\n');
    await writeFile(join(dir, 'b.js'), 'export const m = 2;\n');
    const compiled = await modules.read(pathToFileURL(join(dir, 'a.ts')).href, null);
    expect(compiled?.format).toBe('module');
    expect(compiled?.source).toMatch(/const n = 1;[^]*sourceMappingURL=data:/);
    expect(await modules.read(pathToFileURL(join(dir, 'b.js')).href, 'module')).toEqual({format: 'module', source: 'export const m = 2;\n'});
    expect(await modules.read(pathToFileURL(join(dir, 'b.js')).href, 'commonjs')).toBeNull();
  });

  it('names a syntax error by file, line and column (from 1)', async () => {
    const file = join(dir, 'broken.ts');
    await writeFile(file, 'export const a = 1;\nexport const b = (;\n');
    await expect(modules.read(pathToFileURL(file).href, null)).rejects.toThrow(new SyntaxError(`${file}:2:19: Unexpected ";"`));
  });

  it("serves a namespace's kept snapshot over the file on disk until it is forgotten; merge adds to it", async () => {
    const file = join(dir, 'a.ts');
    const url = pathToFileURL(file).href;
    await writeFile(file, 'export const v = "good";\n');
    modules.keep('ns', new Map([[url, (await modules.read(url, null))!]]));
    await writeFile(file, 'export const v = "new";\n');
    expect((await modules.serve('ns', url, null))?.source).toContain('"good"');
    expect((await modules.serve('other', url, null))?.source).toContain('"new"');
    modules.keep('ns', new Map([['file:///elsewhere.js', {format: 'module', source: ''}]]), {merge: true});
    expect((await modules.serve('ns', url, null))?.source).toContain('"good"');
    modules.forget('ns');
    expect((await modules.serve('ns', url, null))?.source).toContain('"new"');
  });
});
