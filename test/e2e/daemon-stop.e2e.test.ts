// `capsule daemon stop` with runs still running: it says which runs it waits for and reports each
// as it ends, in plain lines (its output here is a pipe, not a terminal).
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {TestHome, eachTestHome, collect, isAlive, waitFor} from '../helpers/cli.js';
import {SLOW, startWithProject, submit, waitForLog} from './tasks-helpers.js';

let home: TestHome;
let gates: string;

eachTestHome(async (created) => {
  home = created;
  gates = await created.scratch('cap-gates-');
});

/** A running e2e/gated run, which ends once `open(name)` creates its gate file. */
async function gatedRun(name: string): Promise<string> {
  const runId = await submit(home, 'e2e/gated', {file: join(gates, name)});
  await waitForLog(home, runId, 'waiting');
  return runId;
}

const open = (name: string) => writeFile(join(gates, name), '');

/** `daemon stop` in the background, with what it printed so far. */
function stopInBackground(timeout: string) {
  return collect(home.spawn(['daemon', 'stop', '--timeout', timeout]));
}

describe('daemon stop with runs running', SLOW, () => {
  it('names the runs it waits for, then reports each as it finishes', async () => {
    await startWithProject(home);
    const pid = (await home.daemonPid())!;
    const [first, second] = [await gatedRun('first'), await gatedRun('second')];

    const output = stopInBackground('1m');
    await waitFor(() => output.stdout.includes('waiting up to 1m for 2 runs to finish: '), {what: `the stop to say what it waits for; got ${JSON.stringify(output)}`});
    const [waiting, hint] = output.stdout.split('\n');
    expect(waiting).toContain(`e2e/gated ${first}`);
    expect(waiting).toContain(`e2e/gated ${second}`);
    expect(hint).toBe('(Ctrl-C stops the waiting, not the stop; a run still going at the timeout is interrupted, and queued again for the next start if it has retries left)');

    await open('first');
    await waitFor(() => output.stdout.includes(`✓ e2e/gated ${first} succeeded (1 left)`), {what: `the first run's end to be reported; got ${JSON.stringify(output)}`});
    expect(output.stdout).not.toContain(second + ' succeeded');
    expect(isAlive(pid)).toBe(true);

    await open('second');
    const code = await output.closed;
    expect(code, output.stderr).toBe(0);
    expect(output.stdout.split('\n').slice(2)).toEqual([`✓ e2e/gated ${first} succeeded (1 left)`, `✓ e2e/gated ${second} succeeded (0 left)`, `stopped capsule daemon (pid ${pid})`, '']);
    expect(output.stdout).not.toContain('\u001B[');
    expect(isAlive(pid)).toBe(false);
  });

  it('reports a run still going at the timeout as interrupted', async () => {
    await startWithProject(home);
    const stuck = await gatedRun('never');
    const output = stopInBackground('500ms');
    const code = await output.closed;
    expect(code, output.stderr).toBe(0);
    expect(output.stdout).toContain(`waiting up to 500ms for 1 run to finish: e2e/gated ${stuck}`);
    // e2e's tasks have max_retries = 0: the interrupted attempt was its last.
    expect(output.stdout).toContain(`✗ e2e/gated ${stuck} interrupted: failed, no retries left (0 left)`);
  });

  it('says nothing about runs when none is running', async () => {
    await startWithProject(home);
    const pid = await home.daemonPid();
    const stop = await home.run(['daemon', 'stop']);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toBe(`stopped capsule daemon (pid ${pid})\n`);
  });
});
