// Shared by the tests of a daemon killed under a process attempt: the outlivesDaemon fixture
// task (test/fixtures/projects/e2e/tasks/processes.ts) driven through the real CLI.
import {readFile} from 'node:fs/promises';
import {expect} from 'vitest';
import type {AttemptWorker, RunRecord} from '../../src/protocol/index.js';
import {readProcStat} from '../../daemon/supervisor/proc-stat.js';
import {type TestHome, isAlive, waitFor} from '../helpers/cli.js';
import {show, submit, waitForFinal} from './tasks-helpers.js';

/** Whether the worker the run's journal names is still that process, running (a zombie is dead). */
export async function workerRunning(worker: AttemptWorker): Promise<boolean> {
  const stat = await readProcStat(worker.pid);
  return stat !== null && stat.startTime === worker.startTime && stat.state !== 'Z';
}

/** Submits outlivesDaemon, waits until its first attempt runs, and kills the daemon with -9; returns the run and its first worker. */
export async function killDaemonUnder(home: TestHome, file: string, block: boolean): Promise<{runId: string; worker: AttemptWorker}> {
  const runId = await submit(home, 'e2e/outlivesDaemon', {file, block});
  // The file, not `capsule logs`: polling it costs no CLI start each time.
  await waitFor(() => readFile(file, 'utf8'), {what: `${runId} to start`});
  const worker = (await show(home, runId)).attempts[0]!.worker!;
  // The journal has the very process that runs the attempt.
  expect((await readFile(file, 'utf8')).split('\n')[0]).toBe(`start ${worker.pid} 1 alive=`);
  const pid = (await home.daemonPid())!;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), {what: 'the daemon to die'});
  return {runId, worker};
}

/** The next daemon retries the run: its second attempt saw no earlier one alive, and the first never ended. */
export async function expectRetriedAlone(home: TestHome, file: string, runId: string, worker: AttemptWorker): Promise<void> {
  const start = await home.run(['daemon', 'start']);
  expect(start.code, start.stderr).toBe(0);
  await waitFor(async () => (await readFile(file, 'utf8')).includes(' 2\n'), {what: `${runId} to be tried again`});
  const final: RunRecord = await waitForFinal(home, runId);
  expect(final).toMatchObject({status: 'succeeded', result: {attempt: 2}});
  expect(final.attempts.map((attempt) => attempt.error?.type ?? null)).toEqual(['interrupted', null]);
  const second = final.attempts[1]!.worker!;
  expect(second.pid).not.toBe(worker.pid);
  expect((await readFile(file, 'utf8')).trim().split('\n')).toEqual([`start ${worker.pid} 1 alive=`, `start ${second.pid} 2 alive=`, `end ${second.pid} 2`]);
  expect(await workerRunning(worker)).toBe(false);
}
