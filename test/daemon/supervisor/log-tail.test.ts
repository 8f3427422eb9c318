import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {formatLogLine, tailLines} from '../../../daemon/supervisor/log-tail.js';

const line = (seq: number) => formatLogLine({seq, time: '2025-06-01T12:00:00.000Z', stream: 'stdout', text: `line ${seq}`});

describe('tailLines', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, {recursive: true, force: true});
  });

  it('keeps each numbered line once when a rotation between two reads repeats lines in the older file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cap-tail-'));
    // As read across a rotation: the current file was read, then became .1 before .1 was read.
    await writeFile(join(dir, 'svc.log'), [8, 9, 10].map(line).join(''));
    await writeFile(join(dir, 'svc.log.1'), [5, 6, 7, 8, 9, 10].map(line).join(''));
    const lines = await tailLines([join(dir, 'svc.log'), join(dir, 'svc.log.1')], 20);
    expect(lines.map((entry) => entry.seq)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('keeps lines stored before lines were numbered (seq 0), in order', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cap-tail-'));
    await writeFile(join(dir, 'svc.log'), `${line(1)}${line(2)}`);
    await writeFile(join(dir, 'svc.log.1'), '2025-06-01T11:00:00.000Z stdout old a\n2025-06-01T11:00:01.000Z stdout old b\n');
    const lines = await tailLines([join(dir, 'svc.log'), join(dir, 'svc.log.1')], 20);
    expect(lines.map((entry) => [entry.seq, entry.text])).toEqual([[0, 'old a'], [0, 'old b'], [1, 'line 1'], [2, 'line 2']]);
  });
});
