import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {fixture, Harness, isAlive, NODE, service, waitFor} from './harness.js';

describe('stopping, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  it('kills the whole process group: no grandchild survives', async () => {
    const pidsFile = join(h.dir, 'pids.json');
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {tree: service({command: [NODE, fixture('spawn-tree.js'), pidsFile, '3'], stop_timeout: '300ms'})});
    // The fixture's writeFileSync truncates first: an empty file is one not written yet.
    const grandchildren = await waitFor('grandchildren', async () => JSON.parse((await readFile(pidsFile, 'utf8').catch(() => '')) || 'null') as number[] | null);
    const main = supervisor.snapshot('app', 'tree').pid!;
    expect(grandchildren).toHaveLength(3);
    for (const pid of [main, ...grandchildren]) expect(await isAlive(pid)).toBe(true);

    expect(await supervisor.stop('app', 'tree')).toMatchObject([{state: 'stopped', pid: null}]);

    for (const pid of [main, ...grandchildren]) expect(await isAlive(pid)).toBe(false);
    // The grandchildren ignore SIGTERM, so only SIGKILL after stop_timeout could end them.
    expect(h.eventsOf('stop', 'app/tree')).toEqual([expect.objectContaining({details: expect.objectContaining({pid: main, cause: 'operator', forced: true})})]);
  });

  it('kills a service that ignores SIGTERM once stop_timeout has passed', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {stubborn: service({command: [NODE, fixture('ignore-term.js')], stop_timeout: '300ms'})});
    await waitFor('ready', async () => (await h.logText('app', 'stubborn')).includes('stdout ready'));
    const pid = supervisor.snapshot('app', 'stubborn').pid!;

    const [stopped] = await supervisor.stop('app', 'stubborn');

    expect(stopped).toMatchObject({state: 'stopped', lastExit: {code: null, signal: 'SIGKILL'}});
    expect(await isAlive(pid)).toBe(false);
    expect(await h.logText('app', 'stubborn')).toContain('ignoring SIGTERM');
    expect(h.eventsOf('stop')[0]?.details).toMatchObject({forced: true, signal: 'SIGKILL'});
  });

  it('sends the declared stop_signal', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {polite: service({command: [NODE, fixture('sleeper.js')], stop_signal: 'SIGINT'})});
    await waitFor('ready', async () => (await h.logText('app', 'polite')).includes('ready'));
    expect(await supervisor.stop('app', 'polite')).toMatchObject([{lastExit: {signal: 'SIGINT'}}]);
    expect(h.eventsOf('stop')[0]?.details).toMatchObject({forced: false});
  });

  it('runs a string command through /bin/sh and stops the shell with what it started', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {shell: service({command: `${NODE} ${fixture('sleeper.js')} | cat`, stop_timeout: '2s'})});
    await waitFor('ready through the pipe', async () => (await h.logText('app', 'shell')).includes('stdout ready'));
    const pid = supervisor.snapshot('app', 'shell').pid!;
    await supervisor.stop('app', 'shell');
    expect(await isAlive(pid)).toBe(false);
  });
});
