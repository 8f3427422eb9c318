import {mkdtemp, readdir, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {parseLogLine} from '../../../daemon/supervisor/log-tail.js';
import {ServiceLog} from '../../../daemon/supervisor/service-log.js';
import type {LogLine} from '../../../daemon/supervisor/types.js';
import {FakeClock} from '../core/fake-clock.js';

describe('ServiceLog', () => {
  let dir: string;
  let log: ServiceLog;
  const clock = new FakeClock(0);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capsule-log-'));
  });

  afterEach(async () => {
    log.close();
    await rm(dir, {recursive: true, force: true});
  });

  it('timestamps lines by stream and reads the tail back', async () => {
    log = new ServiceLog(join(dir, 'app', 'api.log'), {maxSizeBytes: 1024 * 1024, keep: 1}, clock);
    const told: number[] = [];
    log.note('started pid 1');
    log.appendOutput('stdout', ['hello', 'world'], (lastSeq) => told.push(lastSeq));
    expect(told).toEqual([3]);
    expect(await log.tail(10)).toEqual([
      {seq: 1, time: '1970-01-01T00:00:00.000Z', stream: 'capsule', text: 'started pid 1'},
      {seq: 2, time: '1970-01-01T00:00:00.000Z', stream: 'stdout', text: 'hello'},
      {seq: 3, time: '1970-01-01T00:00:00.000Z', stream: 'stdout', text: 'world'},
    ]);
    expect((await log.tail(1)).map((line) => line.text)).toEqual(['world']);
  });

  it('writes a batch of output into one file, rotating before it rather than in its middle', async () => {
    log = new ServiceLog(join(dir, 'batch.log'), {maxSizeBytes: 1000, keep: 1}, clock);
    // Filled so that the batch cannot fit, but its first lines could.
    for (let index = 0; (await stat(join(dir, 'batch.log')).catch(() => ({size: 0}))).size < 750; index++) log.note(`note ${index} ${'x'.repeat(40)}`);
    log.appendOutput('stdout', Array.from({length: 5}, (_, index) => `out ${index} ${'y'.repeat(40)}`), () => undefined);
    const {readFile} = await import('node:fs/promises');
    const current = (await readFile(join(dir, 'batch.log'), 'utf8')).trimEnd().split('\n').map(parseLogLine);
    expect(current.map((line) => line.text.split(' ').slice(0, 2).join(' '))).toEqual(['out 0', 'out 1', 'out 2', 'out 3', 'out 4']);
  });

  it('rotates before a file would pass max_size and keeps only `keep` old files', async () => {
    log = new ServiceLog(join(dir, 'flood.log'), {maxSizeBytes: 1000, keep: 2}, clock);
    for (let index = 0; index < 200; index++) log.note(`line ${index} ${'x'.repeat(40)}`);
    expect((await readdir(dir)).sort()).toEqual(['flood.log', 'flood.log.1', 'flood.log.2']);
    for (const file of await readdir(dir)) expect((await stat(join(dir, file))).size).toBeLessThanOrEqual(1000);
    // Three files of ~11 lines each hold the newest lines, in order, across the rotation boundaries.
    const numbers = (lines: LogLine[]) => lines.map((line) => Number(line.text.split(' ')[1]));
    const all = numbers(await log.tail(1000));
    expect(all.length).toBeGreaterThan(20);
    expect(all).toEqual(Array.from({length: all.length}, (_, index) => 200 - all.length + index));
    expect(numbers(await log.tail(15))).toEqual(Array.from({length: 15}, (_, index) => 185 + index));
    expect((await log.tail(1000)).map((line) => line.seq)).toEqual(all.map((n) => n + 1));
  });

  it('empties the current file and every rotated one, and numbers on after the flush, across a new daemon too', async () => {
    const file = join(dir, 'flush.log');
    log = new ServiceLog(file, {maxSizeBytes: 1000, keep: 2}, clock);
    for (let index = 0; index < 100; index++) log.note(`line ${index} ${'x'.repeat(40)}`);
    // What a larger `keep` left before: gone too.
    await writeFile(join(dir, 'flush.log.7'), 'old\n');
    await writeFile(join(dir, 'flush.log.other'), 'not a rotation\n');
    const last = log.lastSeq();
    // Two full files at least: the current one and a rotated one, beside the stray .7.
    expect(log.empty('log flushed by tester')).toBeGreaterThan(1000);
    expect((await readdir(dir)).sort()).toEqual(['flush.log', 'flush.log.other']);
    log.note('after');
    expect(await log.tail(10)).toEqual([
      expect.objectContaining({seq: last + 1, text: 'log flushed by tester'}),
      expect.objectContaining({seq: last + 2, text: 'after'}),
    ]);
    log.close();
    log = new ServiceLog(file, {maxSizeBytes: 1000, keep: 2}, clock);
    log.note('next daemon');
    expect((await log.tail(1))[0]!.seq).toBe(last + 3);
  });

  it('numbers on from the lines already in its files, so a new daemon never goes back', async () => {
    const file = join(dir, 'again.log');
    log = new ServiceLog(file, {maxSizeBytes: 300, keep: 1}, clock);
    for (let index = 0; index < 10; index++) log.note(`line ${index} ${'x'.repeat(40)}`);
    log.close();
    log = new ServiceLog(file, {maxSizeBytes: 300, keep: 1}, clock);
    log.note('after the restart');
    expect((await log.tail(2)).map((line) => [line.seq, line.text])).toEqual([
      [10, `line 9 ${'x'.repeat(40)}`],
      [11, 'after the restart'],
    ]);
  });

  it('starts from 1 after a file written before lines were numbered', async () => {
    const file = join(dir, 'old.log');
    await writeFile(file, '2024-01-01T00:00:00.000Z stdout from an older capsule\n');
    log = new ServiceLog(file, {maxSizeBytes: 1024 * 1024, keep: 1}, clock);
    log.note('now numbered');
    expect((await log.tail(2)).map((line) => [line.seq, line.text])).toEqual([
      [0, 'from an older capsule'],
      [1, 'now numbered'],
    ]);
  });

  it('keeps no old file with keep = 0', async () => {
    log = new ServiceLog(join(dir, 'one.log'), {maxSizeBytes: 500, keep: 0}, clock);
    for (let index = 0; index < 100; index++) log.note(`line ${index} ${'x'.repeat(40)}`);
    expect(await readdir(dir)).toEqual(['one.log']);
  });

  it('masks secrets in the file and for followers, and stops after close', async () => {
    log = new ServiceLog(join(dir, 'secret.log'), {maxSizeBytes: 1024 * 1024, keep: 1}, clock);
    log.setSecrets(['s3cret-value']);
    const followed: LogLine[] = [];
    const unfollow = log.follow((line) => followed.push(line));
    log.note('token is s3cret-value');
    unfollow();
    log.note('after unfollow');
    expect(followed.map((line) => line.text)).toEqual(['token is ***']);
    expect((await log.tail(10)).map((line) => line.text)).toEqual(['token is ***', 'after unfollow']);
    log.close();
    log.note('after close');
    expect(await log.tail(10)).toHaveLength(2);
  });
});

describe('parseLogLine', () => {
  it('reads a written line back, and keeps a foreign line whole', () => {
    expect(parseLogLine('2024-01-01T00:00:00.000Z 42 stderr oops: a b')).toEqual({seq: 42, time: '2024-01-01T00:00:00.000Z', stream: 'stderr', text: 'oops: a b'});
    expect(parseLogLine('2024-01-01T00:00:00.000Z 7 stdout')).toEqual({seq: 7, time: '2024-01-01T00:00:00.000Z', stream: 'stdout', text: ''});
    expect(parseLogLine('no stream here')).toEqual({seq: 0, time: '', stream: 'stdout', text: 'no stream here'});
  });

  it('reads a line written before lines were numbered, whose text may start with a number', () => {
    expect(parseLogLine('2024-01-01T00:00:00.000Z stderr 42 stdout a b')).toEqual({seq: 0, time: '2024-01-01T00:00:00.000Z', stream: 'stderr', text: '42 stdout a b'});
    expect(parseLogLine('2024-01-01T00:00:00.000Z 42 apples')).toEqual({seq: 0, time: '', stream: 'stdout', text: '2024-01-01T00:00:00.000Z 42 apples'});
  });
});
