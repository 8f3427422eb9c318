import {mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {RunLogs} from '../../../daemon/runner/run-logs.js';
import type {RunLogLine} from '../../../src/protocol/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsule-logs-'));
});
afterEach(async () => {
  await rm(dir, {recursive: true, force: true});
});

const line = (runId: string, message: string, attempt = 1): Omit<RunLogLine, 'seq'> => ({runId, attempt, time: '2025-01-01T00:00:00.000Z', level: 'info', message});

describe('RunLogs', () => {
  it('appends one JSON line per log line to a file per run', async () => {
    const logs = await RunLogs.open(dir);
    expect(logs.append(line('run_a', 'one'))).toEqual([{...line('run_a', 'one'), seq: 1}]);
    logs.append(line('run_b', 'other'));
    logs.append(line('run_a', 'two'));
    await logs.flush();
    const text = await readFile(join(dir, 'run_a.jsonl'), 'utf8');
    expect(text.trim().split('\n').map((row) => (JSON.parse(row) as RunLogLine).message)).toEqual(['one', 'two']);
    expect((await logs.read('run_b')).map((entry) => entry.message)).toEqual(['other']);
    expect(await logs.read('run_none')).toEqual([]);
  });

  it('reads the last lines, from memory while live and from disk after', async () => {
    const logs = await RunLogs.open(dir, {tailLines: 3});
    for (let index = 1; index <= 5; index++) logs.append(line('run_a', `m${index}`));
    expect((await logs.read('run_a', 2)).map((entry) => entry.message)).toEqual(['m4', 'm5']);
    expect((await logs.read('run_a', 4)).map((entry) => entry.message)).toEqual(['m2', 'm3', 'm4', 'm5']);
    logs.end('run_a');
    await logs.flush();
    expect((await logs.read('run_a')).map((entry) => entry.message)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(await logs.read('run_a', 0)).toEqual([]);
  });

  it('stops at the size limit with one truncation marker', async () => {
    const logs = await RunLogs.open(dir, {maxBytesPerRun: 400});
    const shown: RunLogLine[] = [];
    for (let index = 0; index < 20; index++) shown.push(...logs.append(line('run_a', `line ${index} ${'x'.repeat(40)}`)));
    const last = shown.at(-1)!;
    expect(last.level).toBe('warn');
    expect(last.message).toBe('[capsule] log truncated: this run wrote more than 400 bytes; later lines are dropped');
    expect(shown.filter((entry) => entry.message.startsWith('[capsule]'))).toHaveLength(1);
    logs.end('run_a');
    await logs.flush();
    const onDisk = await logs.read('run_a');
    expect(onDisk).toEqual(shown);
    expect((await readFile(join(dir, 'run_a.jsonl'))).length).toBeLessThan(600);
  });

  it('counts a log already on disk toward the limit on a later attempt', async () => {
    // Each line below is 112 bytes: two fit in 300, a third does not.
    const first = await RunLogs.open(dir, {maxBytesPerRun: 300});
    first.append(line('run_a', 'y'.repeat(20)));
    first.end('run_a');
    await first.flush();
    const second = await RunLogs.open(dir, {maxBytesPerRun: 300});
    const shown = [...second.append(line('run_a', 'z'.repeat(20), 2)), ...second.append(line('run_a', 'z'.repeat(20), 2))];
    expect(shown.map((entry) => entry.level)).toEqual(['info', 'warn']);
  });

  it('numbers each run\'s lines from 1, on from the file when a later attempt follows a daemon restart', async () => {
    const first = await RunLogs.open(dir, {tailLines: 2});
    first.append(line('run_a', 'a1'));
    first.append(line('run_b', 'b1'));
    first.append(line('run_a', 'a2'));
    first.append(line('run_a', 'a3'));
    expect((await first.read('run_a')).map((entry) => entry.seq)).toEqual([1, 2, 3]);
    await first.flush();
    const second = await RunLogs.open(dir);
    expect(second.append(line('run_a', 'after restart', 2)).map((entry) => entry.seq)).toEqual([4]);
    await second.flush();
    expect((await second.read('run_a', 2)).map((entry) => [entry.seq, entry.message])).toEqual([
      [3, 'a3'],
      [4, 'after restart'],
    ]);
  });

  it('numbers the lines of a file written before lines had a seq by their row', async () => {
    const old = (message: string) => JSON.stringify(line('run_old', message));
    await writeFile(join(dir, 'run_old.jsonl'), `${old('one')}\n{"torn\n${old('three')}\n`);
    const logs = await RunLogs.open(dir);
    expect((await logs.read('run_old')).map((entry) => [entry.seq, entry.message])).toEqual([
      [1, 'one'],
      [3, 'three'],
    ]);
    expect(logs.append(line('run_old', 'four', 2)).map((entry) => entry.seq)).toEqual([4]);
  });

  it('removes the files of given runs', async () => {
    const logs = await RunLogs.open(dir);
    logs.append(line('run_a', 'one'));
    await logs.flush();
    await logs.remove(['run_a']);
    expect(await logs.read('run_a')).toEqual([]);
  });

  it('removes the files a previous daemon wrote, and runs that never logged without error', async () => {
    const first = await RunLogs.open(dir);
    first.append(line('run_a', 'one'));
    await first.flush();
    const second = await RunLogs.open(dir);
    await second.remove(['run_a', 'run_silent']);
    expect(await readdir(dir)).toEqual([]);
  });
});
