import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {CapsuleError} from '../../src/lib/errors.js';
import {initProject, namespaceFor} from '../../src/scaffold/init.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, {recursive: true, force: true});
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'init-'));
  dirs.push(dir);
  return dir;
}

describe('initProject', () => {
  it('writes the basic template named after the directory, with editor types pointing at this install', async () => {
    const dir = join(await tempDir(), 'My Reports');
    const result = await initProject(dir, {template: 'basic', force: false});
    expect(result.namespace).toBe('my-reports');
    expect(result.files).toContain('capsule.toml');
    expect(await readFile(join(dir, 'capsule.toml'), 'utf8')).toMatch(/^name = "my-reports"$/m);
    const tsconfig = JSON.parse(await readFile(join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.paths.capsule[0]).toMatch(/src\/sdk\/index\.ts$/);
  });

  it('refuses to overwrite existing files unless forced', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'capsule.toml'), 'mine');
    await expect(initProject(dir, {template: 'basic', force: false})).rejects.toThrow(/already has capsule\.toml/);
    expect(await readFile(join(dir, 'capsule.toml'), 'utf8')).toBe('mine');
    await initProject(dir, {template: 'basic', force: true});
    expect(await readFile(join(dir, 'capsule.toml'), 'utf8')).toContain('[project]');
  });

  it('names the templates when one is unknown', async () => {
    const error = await initProject(await tempDir(), {template: 'basik', force: false}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CapsuleError);
    expect((error as CapsuleError).hint).toBe('did you mean "basic"?');
  });

  it('derives a valid namespace from any directory name', () => {
    expect(namespaceFor('/x/Hello World!')).toBe('hello-world');
    expect(namespaceFor('/x/__')).toBe('project');
  });
});
