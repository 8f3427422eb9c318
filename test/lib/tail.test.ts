import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {readLastLines} from '../../src/lib/tail.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tail-'));
});
afterEach(async () => {
  await rm(dir, {recursive: true, force: true});
});

describe('readLastLines', () => {
  it('returns the last lines, oldest first, and nothing for a missing file', async () => {
    await writeFile(join(dir, 'a.log'), 'one\ntwo\nthree\n');
    expect(await readLastLines(join(dir, 'a.log'), 2)).toEqual(['two', 'three']);
    expect(await readLastLines(join(dir, 'a.log'), 10)).toEqual(['one', 'two', 'three']);
    expect(await readLastLines(join(dir, 'missing.log'), 5)).toEqual([]);
  });

  it('keeps lines and multi-byte characters whole across 64 KB block boundaries', async () => {
    const line = 'é'.repeat(1000);
    const lines = Array.from({length: 200}, (_, index) => `${index} ${line}`);
    await writeFile(join(dir, 'big.log'), `${lines.join('\n')}\n`);
    expect(await readLastLines(join(dir, 'big.log'), 150)).toEqual(lines.slice(-150));
  });
});
