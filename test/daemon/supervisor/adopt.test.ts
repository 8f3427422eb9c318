import {spawn, type ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import {readdir, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {build} from 'esbuild';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {readProcStat} from '../../../daemon/supervisor/proc-stat.js';
import {FilePersistence} from './file-persistence.js';
import {fixture, Harness, isAlive, NODE, service, waitFor} from './harness.js';

/** Pids of live processes whose command line holds `marker`. */
async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.includes(marker) && (await isAlive(Number(entry)))) found.push(Number(entry));
  }
  return found;
}

describe('re-adoption after the daemon is killed with -9', () => {
  let h: Harness;
  let host: ChildProcess | null;
  let stateFile: string;
  /** In the command line of every service instance a test starts, to count them and to clean up. */
  let marker: string;

  beforeEach(async () => {
    h = await Harness.create();
    host = null;
    stateFile = join(h.dir, 'state.json');
    marker = `keeper-${process.pid}-${Date.now()}`;
  });

  afterEach(async () => {
    if (host && host.exitCode === null && host.signalCode === null) host.kill('SIGKILL');
    await h.close();
    // A failed test may leave the first daemon's service behind.
    for (const pid of await processesWith(marker)) process.kill(-pid, 'SIGKILL');
  });

  /** Runs a first "daemon" in its own process, lets it start `keeper`, then kills it with -9. */
  async function startAndKillHost(table: Record<string, unknown>): Promise<number> {
    const bundle = join(h.dir, 'host.mjs');
    await build({entryPoints: [fixture('supervisor-host.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent'});
    host = spawn(NODE, [bundle, stateFile, h.logsDir, h.dir, JSON.stringify(table)], {stdio: ['ignore', 'pipe', 'inherit']});
    const [chunk] = (await once(host.stdout!, 'data')) as [Buffer];
    const {pid} = JSON.parse(chunk.toString()) as {pid: number};
    host.kill('SIGKILL');
    await once(host, 'exit');
    return pid;
  }

  it('takes over the running process: exactly one instance', async () => {
    const table = {command: [NODE, fixture('sleeper.js'), marker], stop_timeout: '2s'};
    const pid = await startAndKillHost(table);
    expect(await isAlive(pid)).toBe(true);

    const supervisor = h.supervisor({persistence: new FilePersistence(stateFile)});
    expect(await supervisor.adopt()).toEqual({adoptable: ['app/keeper'], stale: []});
    await supervisor.setProjectServices('app', h.dir, {keeper: service(table)});

    expect(supervisor.snapshot('app', 'keeper')).toMatchObject({state: 'running', pid, adopted: true});
    expect(await processesWith(marker)).toEqual([pid]);
    expect(h.eventsOf('adopt')).toEqual([expect.objectContaining({target: 'app/keeper', details: {pid}})]);
    expect(h.eventsOf('start')).toEqual([]);

    await supervisor.stop('app', 'keeper');
    expect(await isAlive(pid)).toBe(false);
    expect(await new FilePersistence(stateFile).listProcesses()).toEqual([]);
  });

  it('notices an adopted process ending and restarts it as its own child', async () => {
    const table = {command: [NODE, fixture('sleeper.js'), marker], backoff: {initial: '50ms'}};
    const pid = await startAndKillHost(table);
    const supervisor = h.supervisor({persistence: new FilePersistence(stateFile)});
    await supervisor.setProjectServices('app', h.dir, {keeper: service(table)});
    process.kill(pid, 'SIGKILL');
    const restarted = await waitFor('a new instance', () => {
      const snapshot = supervisor.snapshot('app', 'keeper');
      return snapshot.pid !== null && snapshot.pid !== pid ? snapshot : null;
    });
    expect(restarted.adopted).toBe(false);
    expect(await processesWith(marker)).toEqual([restarted.pid]);
  });

  it('replaces a process started from another definition instead of running two', async () => {
    const pid = await startAndKillHost({command: [NODE, fixture('sleeper.js'), marker, 'old']});
    const supervisor = h.supervisor({persistence: new FilePersistence(stateFile)});
    await supervisor.setProjectServices('app', h.dir, {keeper: service({command: [NODE, fixture('sleeper.js'), marker, 'new']})});
    expect(await isAlive(pid)).toBe(false);
    const current = await waitFor('the new definition running', () => supervisor.snapshot('app', 'keeper').pid);
    expect(await processesWith(marker)).toEqual([current]);
    expect(h.eventsOf('stop')[0]?.details).toMatchObject({pid, cause: 'replaced'});
  });

  it('adopts a process whose declaration changed only in what does not start it, and supervises it by the new one', async () => {
    const command = [NODE, fixture('sleeper.js'), marker];
    const pid = await startAndKillHost({command});
    const supervisor = h.supervisor({persistence: new FilePersistence(stateFile)});
    await supervisor.setProjectServices('app', h.dir, {keeper: service({command, restart: 'never', stop_timeout: '3s', backoff: {initial: '1s'}})});
    expect(supervisor.snapshot('app', 'keeper')).toMatchObject({state: 'running', pid, adopted: true});
    process.kill(pid, 'SIGKILL');
    // restart = "never" is the new declaration's: the adopted process is not started again.
    await waitFor('the adopted process to be seen ending', () => supervisor.snapshot('app', 'keeper').state === 'exited');
    expect(h.eventsOf('restart')).toEqual([]);
  });

  it('stops a recorded process whose service is no longer declared, once adoption is settled', async () => {
    const pid = await startAndKillHost({command: [NODE, fixture('sleeper.js'), marker]});
    const supervisor = h.supervisor({persistence: new FilePersistence(stateFile)});
    await supervisor.setProjectServices('app', h.dir, {});
    expect(await isAlive(pid)).toBe(true);
    expect(await supervisor.settleAdoption()).toEqual(['app/keeper']);
    expect(await isAlive(pid)).toBe(false);
  });

  it('never touches a process that merely reuses a recorded pid', async () => {
    const stranger = spawn('sleep', ['30'], {stdio: 'ignore'});
    try {
      await once(stranger, 'spawn');
      const startTime = (await readProcStat(stranger.pid!))!.startTime;
      await h.persistence.saveProcess({namespace: 'app', name: 'keeper', pid: stranger.pid!, startTime: startTime + 1, startedAt: new Date().toISOString(), fingerprint: 'x'});
      const supervisor = h.supervisor();
      expect(await supervisor.adopt()).toEqual({adoptable: [], stale: ['app/keeper']});
      expect(h.eventsOf('gone', 'app/keeper')).toEqual([expect.objectContaining({actor: 'capsule', details: expect.objectContaining({pid: stranger.pid, reason: `pid ${stranger.pid} now belongs to another process`})})]);
      await supervisor.setProjectServices('app', h.dir, {keeper: service({command: [NODE, fixture('sleeper.js'), marker]})});
      const started = await waitFor('started anew', () => supervisor.snapshot('app', 'keeper').pid);
      expect(started).not.toBe(stranger.pid);
      expect(await isAlive(stranger.pid!)).toBe(true);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('drops the record of a process that ended while no daemon watched it, and audits why', async () => {
    const ended = spawn('true', {stdio: 'ignore'});
    await once(ended, 'exit');
    const startedAt = new Date().toISOString();
    await h.persistence.saveProcess({namespace: 'app', name: 'keeper', pid: ended.pid!, startTime: 1, startedAt, fingerprint: 'x'});
    const supervisor = h.supervisor();
    expect(await supervisor.adopt()).toEqual({adoptable: [], stale: ['app/keeper']});
    expect(await h.persistence.listProcesses()).toEqual([]);
    expect(h.eventsOf('gone', 'app/keeper')).toEqual([expect.objectContaining({actor: 'capsule', details: {pid: ended.pid, startedAt, reason: `pid ${ended.pid} is no longer running`}})]);
  });
});
