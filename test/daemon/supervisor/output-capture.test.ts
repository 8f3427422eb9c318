/** The capture files' reader, on real files: what is taken, and where a new daemon goes on. */
import {appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {capturePaths, OutputCapture, resumeOffsets, type CapturePaths} from '../../../daemon/supervisor/output-capture.js';
import {ServiceLog} from '../../../daemon/supervisor/service-log.js';
import {FakeClock} from '../core/fake-clock.js';
import {waitFor} from './harness.js';

const PROCESS = '4242:100';

describe('OutputCapture', () => {
  let dir: string;
  let paths: CapturePaths;
  let log: ServiceLog;
  const open: OutputCapture[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'capsule-capture-'));
    log = new ServiceLog(join(dir, 'api.log'), {maxSizeBytes: 64 * 1024 * 1024, keep: 1}, new FakeClock(0));
    paths = capturePaths(log.file);
    writeFileSync(paths.stdout, '');
    writeFileSync(paths.stderr, '');
  });

  afterEach(() => {
    for (const capture of open.splice(0)) capture.close();
    log.close();
    rmSync(dir, {recursive: true, force: true});
  });

  function capture(from = {stdout: 0, stderr: 0}): OutputCapture {
    const made = new OutputCapture(paths, PROCESS, log, from);
    open.push(made);
    return made;
  }

  const texts = async () => (await log.tail(10_000)).map((line) => `${line.stream}:${line.text}`);

  it('follows both files as they grow, holding an unfinished line until it ends or the process does', async () => {
    const taking = capture();
    appendFileSync(paths.stdout, 'one\ntw');
    appendFileSync(paths.stderr, 'oops\n');
    await waitFor('the first lines', async () => (await texts()).length === 2);
    expect((await texts()).sort()).toEqual(['stderr:oops', 'stdout:one']);
    appendFileSync(paths.stdout, 'o\nthree');
    await waitFor('the second line', async () => (await texts()).includes('stdout:two'));
    taking.drain(false);
    expect(await texts()).not.toContain('stdout:three');
    taking.drain(true);
    expect((await texts()).filter((text) => text.startsWith('stdout'))).toEqual(['stdout:one', 'stdout:two', 'stdout:three']);
    expect(taking.firstStderrLine).toBe('oops');
  });

  it('leaves an unfinished line to the next daemon, which goes on where this one stopped', async () => {
    appendFileSync(paths.stdout, 'a\nb\npart');
    const first = capture();
    first.drain(false);
    first.close();
    appendFileSync(paths.stdout, 'ial\nc\n');
    const next = capture(resumeOffsets(paths, PROCESS, log.lastSeq()));
    next.drain(false);
    expect(await texts()).toEqual(['stdout:a', 'stdout:b', 'stdout:partial', 'stdout:c']);
  });

  it('reads a backlog bigger than one slice whole', async () => {
    const lines = Array.from({length: 40_000}, (_, index) => `line ${index} ${'z'.repeat(40)}`);
    appendFileSync(paths.stdout, `${lines.join('\n')}\n`);
    capture().drain(false);
    const seen = (await log.tail(10_000)).map((line) => line.text);
    expect(seen.at(-1)).toBe(lines.at(-1));
    expect(log.lastSeq()).toBe(lines.length);
  });

  it('frees the space of what it has taken, keeping the offsets', async () => {
    const taking = capture();
    const block = `${'q'.repeat(1023)}\n`.repeat(1024);
    for (let index = 0; index < 10; index++) appendFileSync(paths.stdout, block);
    taking.drain(false);
    const size = statSync(paths.stdout).size;
    expect(size).toBe(10 * 1024 * 1024);
    // fallocate runs in the background; the file keeps its size, its blocks are freed.
    await waitFor('the hole', () => statSync(paths.stdout).blocks * 512 < 4 * 1024 * 1024);
    appendFileSync(paths.stdout, 'after\n');
    taking.drain(false);
    expect((await log.tail(1))[0]!.text).toBe('after');
  });
});

describe('resumeOffsets', () => {
  let dir: string;
  let paths: CapturePaths;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'capsule-cursor-'));
    paths = capturePaths(join(dir, 'api.log'));
  });

  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  const cursor = (record: object) => writeFileSync(paths.cursor, JSON.stringify(record));

  it('goes past a batch the log holds, and reads again one it does not', () => {
    cursor({process: PROCESS, stdout: 10, stderr: 5, pending: {stream: 'stdout', to: 30, seq: 7}});
    expect(resumeOffsets(paths, PROCESS, 7)).toEqual({stdout: 30, stderr: 5});
    expect(resumeOffsets(paths, PROCESS, 9)).toEqual({stdout: 30, stderr: 5});
    expect(resumeOffsets(paths, PROCESS, 6)).toEqual({stdout: 10, stderr: 5});
  });

  it('starts from the beginning for another process, or without a cursor', () => {
    expect(resumeOffsets(paths, PROCESS, 3)).toEqual({stdout: 0, stderr: 0});
    cursor({process: '4242:99', stdout: 10, stderr: 5, pending: null});
    expect(resumeOffsets(paths, PROCESS, 3)).toEqual({stdout: 0, stderr: 0});
    writeFileSync(paths.cursor, 'not json');
    expect(resumeOffsets(paths, PROCESS, 3)).toEqual({stdout: 0, stderr: 0});
  });
});
