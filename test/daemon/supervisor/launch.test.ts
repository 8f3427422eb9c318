/** A program that cannot be run fails at once, with the reason, instead of going through the restart budget. */
import {randomUUID} from 'node:crypto';
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {Harness, service, waitFor} from './harness.js';

describe('a service whose program cannot be run, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  /** Declares `command` as app/svc and waits until it is failed; the default restart policy would retry it for some 16 s. */
  async function failed(table: Record<string, unknown>) {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: service(table)});
    return waitFor('failed', () => {
      const snapshot = supervisor.snapshot('app', 'svc');
      return snapshot.state === 'failed' ? snapshot : null;
    });
  }

  it('fails a program that does not exist at once: command not found, no restart', async () => {
    expect(await failed({command: ['nodee', 'server.js']})).toMatchObject({reason: 'command not found: nodee', lastExit: null, restarts: 0, nextRestartAt: null});
    expect(h.eventsOf('failed', 'app/svc').map((event) => event.details)).toEqual([{reason: 'command not found: nodee', pid: null, error: 'spawn nodee ENOENT'}]);
    expect(h.eventsOf('restart', 'app/svc')).toEqual([]);
    expect(await h.logText('app', 'svc')).toContain('failed: command not found: nodee; start it again once fixed');
  });

  it('fails a program it may not execute: permission denied', async () => {
    await writeFile(join(h.dir, 'x.sh'), 'echo hi\n', {mode: 0o644});
    expect((await failed({command: ['./x.sh']})).reason).toBe('permission denied: ./x.sh');
    expect(h.eventsOf('restart', 'app/svc')).toEqual([]);
  });

  it('blames a missing working directory rather than the program', async () => {
    expect((await failed({command: ['node', '-e', '0'], cwd: 'gone'})).reason).toBe(`working directory not found: ${join(h.dir, 'gone')}`);
  });

  it('reads a string command whose program the shell cannot find, for every one of many started at once', async () => {
    // The shell's exit may be seen before its stderr line is read: many at once give that race its chances.
    const missing = `nodee-${randomUUID().slice(0, 8)}`;
    const names = Array.from({length: 24}, (_, index) => `svc${index}`);
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, Object.fromEntries(names.map((name) => [name, service({command: `${missing} server.js`})])));
    await waitFor('all failed', () => supervisor.snapshot('app').every((snapshot) => snapshot.state === 'failed'));
    expect(new Set(supervisor.snapshot('app').map((snapshot) => snapshot.reason))).toEqual(new Set([`command not found: ${missing}`]));
    expect(supervisor.snapshot('app').map((snapshot) => snapshot.lastExit?.code)).toEqual(names.map(() => 127));
    expect(h.eventsOf('restart')).toEqual([]);
    expect(h.eventsOf('failed').map((event) => event.details.code)).toEqual(names.map(() => 127));
  });

  it('reads a string command whose program the shell may not execute', async () => {
    await writeFile(join(h.dir, 'x.sh'), 'echo hi\n', {mode: 0o644});
    expect((await failed({command: './x.sh --port 1'})).reason).toBe('permission denied: ./x.sh');
  });

  it('restarts per policy a shell that exits 127 after printing something else first', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: service({command: 'echo starting >&2; exit 127', backoff: {initial: '1h'}})});
    await waitFor('backoff', () => supervisor.snapshot('app', 'svc').state === 'backoff');
    expect(supervisor.snapshot('app', 'svc').reason).toBeNull();
    expect(h.eventsOf('failed')).toEqual([]);
  });
});
