// A daemon that dies under a command still waiting on it: the command says the daemon is
// unreachable and how to go on (exit 3), not that capsule has a bug.
import type {ChildProcess} from 'node:child_process';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {TestHome, eachTestHome, collect, isAlive, waitFor} from '../helpers/cli.js';
import {PROJECTS, SLOW, startWithProject, submit} from './tasks-helpers.js';

/** Logs a line every 50 ms for minutes: long enough to be killed under. */
const LONG = {lines: 5000, batch: 1, everyMs: 50};

let home: TestHome;

eachTestHome(async (created) => {
  home = created;
  await startWithProject(created, {}, join(PROJECTS, 'follow'));
});

/** Waits for `child` to print `text`, kills the daemon with SIGKILL, and returns how `child` ended. */
async function killDaemonUnder(child: ChildProcess, text: string): Promise<{code: number | null; stderr: string}> {
  const output = collect(child);
  await waitFor(() => output.stdout.includes(text), {timeoutMs: 30_000, what: `the command to print "${text}"`});
  const pid = (await home.daemonPid())!;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), {what: `daemon ${pid} to die`});
  return {code: await output.closed, stderr: output.stderr};
}

describe('the daemon dies mid-command', SLOW, () => {
  it('`capsule run` exits 3 saying the daemon is unreachable, with a hint', async () => {
    const ended = await killDaemonUnder(home.spawn(['run', 'follow/chatty', '--input', JSON.stringify(LONG)]), 'line 3\n');
    expect(ended.code, ended.stderr).toBe(3);
    expect(ended.stderr).toMatch(/Error: the daemon is unreachable: it closed the connection while following the run\nhint: .*capsule daemon start.*capsule show run_/);
    expect(ended.stderr).not.toContain('bug');
  });

  it('`capsule logs RUN -f` exits 3 saying the daemon is unreachable, with a hint', async () => {
    const runId = await submit(home, 'follow/chatty', LONG);
    const ended = await killDaemonUnder(home.spawn(['logs', runId, '-f']), 'line 3\n');
    expect(ended.code, ended.stderr).toBe(3);
    expect(ended.stderr).toMatch(new RegExp(`Error: the daemon is unreachable: it closed the connection while following the run log\\nhint: .*capsule daemon start.*capsule show ${runId}`));
  });
});
