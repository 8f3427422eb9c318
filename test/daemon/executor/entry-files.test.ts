import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {expandEntries} from '../../../daemon/executor/entry-files.js';

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
