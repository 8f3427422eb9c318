import {readdir, stat} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {MAX_LINE_BYTES} from '../../../daemon/supervisor/line-splitter.js';
import type {LogLine} from '../../../daemon/supervisor/types.js';
import {fixture, Harness, NODE, service, waitFor} from './harness.js';

describe('service logs, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  it('keeps files bounded under a flood', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {flood: service({command: [NODE, fixture('flood.js')], logs: {max_size: '64KB', keep: 2}})});
    const dir = join(h.logsDir, 'app');
    // Ten thousand lines of ~115 bytes are over a megabyte: the 64KB file was rotated many times over.
    const lastLine = async () => Number((await supervisor.logs('app', 'flood', {tail: 1}))[0]?.text.split(' ')[1] ?? 0);
    await waitFor('a megabyte of output', async () => (await lastLine()) > 10_000);
    await supervisor.stop('app', 'flood');

    expect((await readdir(dir)).sort()).toEqual(['flood.log', 'flood.log.1', 'flood.log.2']);
    for (const file of await readdir(dir)) expect((await stat(join(dir, file))).size).toBeLessThanOrEqual(64 * 1024);
  });

  it('cuts a 1 MB line without blocking the service', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {long: service({command: [NODE, fixture('long-line.js'), String(1024 * 1024)]})});
    await waitFor('the line after', async () => (await h.logText('app', 'long')).includes('stdout after-long-line'));
    const lines = await supervisor.logs('app', 'long', {tail: 2});
    expect(lines.map((line) => line.text.length)).toEqual([MAX_LINE_BYTES + ` …[${1024 * 1024 - MAX_LINE_BYTES} bytes cut]`.length, 'after-long-line'.length]);
    expect(lines[0]!.text.endsWith(` …[${1024 * 1024 - MAX_LINE_BYTES} bytes cut]`)).toBe(true);
    expect(supervisor.snapshot('app', 'long').state).toBe('running');
  });

  it('follows new lines until unsubscribed', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {quiet: service({command: [NODE, fixture('sleeper.js')], autostart: false})});
    const followed: LogLine[] = [];
    const unfollow = supervisor.followLogs('app', 'quiet', (line) => followed.push(line));
    await supervisor.start('app', 'quiet');
    await waitFor('ready followed', () => followed.some((line) => line.stream === 'stdout' && line.text.startsWith('ready')));
    unfollow();
    const seen = followed.length;
    await supervisor.stop('app', 'quiet');
    expect(followed).toHaveLength(seen);
    expect(followed[0]).toMatchObject({stream: 'capsule', text: expect.stringMatching(/^started pid \d+ \(operator\)$/)});
  });
});
