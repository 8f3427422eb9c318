import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {expandEntries, globToRegExp} from '../../../daemon/executor/entry-files.js';

describe('globToRegExp', () => {
  it.each([
    ['tasks/*.ts', 'tasks/a.ts', true],
    ['tasks/*.ts', 'tasks/sub/a.ts', false],
    ['tasks/*.ts', 'tasks/a.tsx', false],
    ['src/**/*.task.ts', 'src/a.task.ts', true],
    ['src/**/*.task.ts', 'src/x/y/a.task.ts', true],
    ['src/**/*.task.ts', 'other/a.task.ts', false],
    ['**/*.ts', 'a.ts', true],
    ['jobs/?.mjs', 'jobs/a.mjs', true],
    ['jobs/?.mjs', 'jobs/ab.mjs', false],
    ['{tasks,jobs}/*.{ts,mts}', 'jobs/x.mts', true],
    ['{tasks,jobs}/*.{ts,mts}', 'other/x.ts', false],
    ['main.ts', 'main.ts', true],
    ['main.ts', 'mainXts', false],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });
});

describe('expandEntries', () => {
  let root: string;
  const files = ['tasks/a.ts', 'tasks/b.js', 'tasks/sub/c.ts', 'src/x.task.ts', 'src/deep/y.task.ts', 'node_modules/pkg/z.task.ts', '.cache/w.task.ts'];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'capsule-entries-'));
    for (const file of files) {
      await mkdir(dirname(join(root, file)), {recursive: true});
      await writeFile(join(root, file), '');
    }
  });

  afterAll(async () => {
    await rm(root, {recursive: true, force: true});
  });

  it('finds the files a pattern matches, sorted, skipping dependencies and hidden directories', async () => {
    expect(await expandEntries(root, ['tasks/*.ts'])).toEqual([join(root, 'tasks/a.ts')]);
    expect(await expandEntries(root, ['**/*.task.ts'])).toEqual([join(root, 'src/deep/y.task.ts'), join(root, 'src/x.task.ts')]);
  });

  it('takes a literal path as is and merges patterns without duplicates', async () => {
    expect(await expandEntries(root, ['tasks/b.js', 'tasks/*.js', 'missing.ts'])).toEqual([join(root, 'tasks/b.js')]);
  });

  it.each(['../outside/*.ts', '/etc/*.ts', ''])('refuses the pattern %j', async (pattern) => {
    await expect(expandEntries(root, [pattern])).rejects.toMatchObject({code: 'config_invalid'});
  });
});
