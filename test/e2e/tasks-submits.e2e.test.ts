// Delayed, deduplicated and prioritised runs through the real CLI and client, against a real
// daemon and real workers: `capsule run --in/--at/--idempotency-key/--priority`.
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {connect, type CapsuleClient} from '../../src/client/public.js';
import type {RunRecord} from '../../src/protocol/index.js';
import {TestHome, eachTestHome, isAlive, waitFor} from '../helpers/cli.js';
import {SLOW, show, startWithProject, submit, waitForFinal, waitForLog} from './tasks-helpers.js';

let home: TestHome;
let client: CapsuleClient | undefined;

eachTestHome((created) => {
  home = created;
});

afterEach(() => {
  client?.close();
  client = undefined;
});

/** `capsule run TARGET --input … ARGS` for a delayed run: it prints "<id> scheduled at <time> (in …)" and exits 0. */
async function submitDelayed(target: string, input: unknown, args: string[]): Promise<string> {
  const result = await home.run(['run', target, '--input', JSON.stringify(input), ...args]);
  expect(result.code, result.stderr).toBe(0);
  const printed = /^(run_\S+) scheduled at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d \(in [^)]+\)\n$/.exec(result.stdout);
  expect(printed, result.stdout).not.toBeNull();
  return printed![1]!;
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

/** A run that started no earlier than it was scheduled to, with one attempt. */
function expectRanOnceAfter(run: RunRecord, wakeAt: string): void {
  expect(run).toMatchObject({status: 'succeeded', wakeAt: null});
  expect(run.attempts).toHaveLength(1);
  expect(Date.parse(run.startedAt!)).toBeGreaterThanOrEqual(Date.parse(wakeAt));
}

describe('delayed runs', SLOW, () => {
  it('is scheduled in `runs`, `show` and `list --tree` until its time, then runs and succeeds', async () => {
    await startWithProject(home);
    const out = join(await home.scratch('submits-'), 'out');
    // Printed "scheduled" by the submit itself: the record as accepted.
    const soon = await submitDelayed('e2e/appends', {file: out, label: 'late'}, ['--in', '3s']);
    // Looked at by several commands, which take a while on a loaded machine: one far off.
    const later = await submitDelayed('e2e/appends', {file: out, label: 'never'}, ['--in', '1h']);
    expect((await show(home, later)).status).toBe('scheduled');
    const listed = await home.json<{runs: RunRecord[]}>(['runs', '--status', 'scheduled']);
    expect(listed.runs.map((run) => run.id)).toContain(later);
    const table = await home.run(['runs']);
    expect(table.stdout).toMatch(new RegExp(`${later}\\s+◷ scheduled\\s+e2e/appends`));
    const details = await home.run(['show', later]);
    expect(details.stdout).toMatch(/runs\s+at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d \(in (59m|1h)/);
    const tree = await home.run(['list', '--tree']);
    expect(tree.stdout).toMatch(/appends .*\d scheduled/);

    const ran = await waitForFinal(home, soon);
    expectRanOnceAfter(ran, new Date(Date.parse(ran.createdAt) + 3000).toISOString());
    expect(await lines(out)).toEqual(['late']);
    expect((await home.run(['cancel', later])).code).toBe(0);
  });

  it('stays scheduled across `daemon stop` and `daemon start` and across kill -9, and runs once after its time', async () => {
    await startWithProject(home);
    const out = join(await home.scratch('submits-'), 'out');
    // Far off: still scheduled however slow the restarts are.
    const far = await submitDelayed('e2e/appends', {file: out, label: 'far'}, ['--in', '1h']);
    // Its time comes while the last daemon is down (it was killed at once, long before).
    const due = await submitDelayed('e2e/appends', {file: out, label: 'due'}, ['--in', '20s']);
    const wakeAt = (await show(home, due)).wakeAt!;

    const stop = await home.run(['daemon', 'stop']);
    expect(stop.code, stop.stderr).toBe(0);
    const start = await home.run(['daemon', 'start']);
    expect(start.code, start.stderr).toBe(0);
    expect((await show(home, far)).status).toBe('scheduled');

    const pid = (await home.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), {what: 'the daemon to die'});
    await waitFor(() => Date.now() > Date.parse(wakeAt), {timeoutMs: 30_000, intervalMs: 200, what: `${due}'s time to pass`});
    const restartedAt = new Date().toISOString();
    const again = await home.run(['daemon', 'start']);
    expect(again.code, again.stderr).toBe(0);

    const ran = await waitForFinal(home, due);
    expectRanOnceAfter(ran, wakeAt);
    // Run by the daemon started after its time, not by one before.
    expect(ran.startedAt! >= restartedAt).toBe(true);
    expect((await show(home, far)).status).toBe('scheduled');
    expect(await lines(out)).toEqual(['due']);
    expect((await home.run(['cancel', far])).code).toBe(0);
  });

  it('cancels a scheduled run at once', async () => {
    await startWithProject(home);
    const out = join(await home.scratch('submits-'), 'out');
    const id = await submitDelayed('e2e/appends', {file: out, label: 'never'}, ['--at', new Date(Date.now() + 3_600_000).toISOString()]);
    const cancel = await home.run(['cancel', id]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain(`${id} cancelled`);
    expect(await show(home, id)).toMatchObject({status: 'cancelled', attempts: [], wakeAt: null, error: {type: 'cancelled', message: 'cancelled on request'}});
    expect((await home.json<{runs: RunRecord[]}>(['runs', '--status', 'scheduled'])).runs).toEqual([]);
    const again = await home.run(['cancel', id]);
    expect(again.code).toBe(1);
  });

  it('follows a delayed run with --follow, as an attached run', async () => {
    await startWithProject(home);
    const out = join(await home.scratch('submits-'), 'out');
    const result = await home.run(['run', 'e2e/appends', '--input', JSON.stringify({file: out, label: 'followed'}), '--in', '1s', '--follow']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/run_\S+ scheduled at .* \(in [^)]+\)/);
    expect(result.stdout).toMatch(/✓ e2e\/appends run_\S+ succeeded/);
  });
});

describe('idempotency keys', SLOW, () => {
  it('returns the same run for a second submit with the key, from the CLI and the client, and a new one after its TTL', async () => {
    await startWithProject(home);
    const out = join(await home.scratch('submits-'), 'out');
    const input = JSON.stringify({file: out, label: 'once'});
    const first = await home.run(['run', 'e2e/appends', '--input', input, '--idempotency-key', 'order-42']);
    expect(first.code, first.stderr).toBe(0);
    const id = /(run_\S+) queued/.exec(first.stderr)![1]!;
    const second = await home.run(['run', 'e2e/appends', '--input', input, '--idempotency-key', 'order-42']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`${id} already exists for key order-42; not submitted again`);
    expect(second.stdout).toMatch(new RegExp(`✓ e2e/appends ${id} succeeded`));
    const detached = await home.run(['run', 'e2e/appends', '--input', input, '--idempotency-key', 'order-42', '--detach']);
    expect(detached.stdout.trim()).toBe(id);

    client = await connect({home: home.home});
    const handle = await client.submit('e2e/appends', {file: out, label: 'client'}, {idempotencyKey: 'order-42'});
    expect(handle.id).toBe(id);
    expect(await lines(out)).toEqual(['once']);

    const short = await client.submit('e2e/appends', {file: out, label: 'short'}, {idempotencyKey: 'short', idempotencyTtl: '1s'});
    expect((await client.submit('e2e/appends', {file: out, label: 'short'}, {idempotencyKey: 'short'})).id).toBe(short.id);
    const fresh = await waitFor(
      async () => {
        const next = await client!.submit('e2e/appends', {file: out, label: 'fresh'}, {idempotencyKey: 'short'});
        return next.id === short.id ? null : next;
      },
      {timeoutMs: 15_000, intervalMs: 200, what: 'the key to expire'},
    );
    expect(await fresh.wait()).toMatchObject({status: 'succeeded', idempotencyKey: 'short'});
  });
});

describe('priority', SLOW, () => {
  it('starts higher priority first, FIFO among equals, with one slot', async () => {
    await startWithProject(home, {CAPSULE_MAX_PARALLEL: '1'});
    const dir = await home.scratch('submits-');
    const out = join(dir, 'out');
    const gate = join(dir, 'gate');
    const blocker = await submit(home, 'e2e/gated', {file: gate});
    await waitForLog(home, blocker, 'waiting');
    const ids: string[] = [];
    for (const [label, priority] of [['low', '-5'], ['normal-1', '0'], ['high', '10'], ['normal-2', '0']] as const) {
      const result = await home.run(['run', 'e2e/appends', '--detach', '--priority', priority, '--input', JSON.stringify({file: out, label})]);
      expect(result.code, result.stderr).toBe(0);
      ids.push(result.stdout.trim());
    }
    for (const id of ids) expect((await show(home, id)).status).toBe('queued');
    await writeFile(gate, '');
    for (const id of ids) await waitForFinal(home, id);
    expect(await lines(out)).toEqual(['high', 'normal-1', 'normal-2', 'low']);
  });
});

describe('bad submit flags', SLOW, () => {
  it('exit 2 naming the flag, with an example', async () => {
    await startWithProject(home);
    const cases: [string[], string][] = [
      [['--in', 'soon'], '--in: expected a duration like 90s, 10m or 2h, got "soon"'],
      [['--at', 'tomorrow'], '--at: expected a date and time like 2026-12-02T03:00 (local time) or 2026-12-02T03:00:00+01:00, got "tomorrow"'],
      [['--in', '10m', '--at', '2030-01-01T00:00'], '--in and --at cannot be given together'],
      [['--in', '400d'], '--in: the run would start in 400d, more than the 366d a run can be delayed'],
      [['--priority', 'urgent'], '--priority: expected a whole number from -1000 to 1000 (higher runs first), like 10 or -5, got "urgent"'],
      [['--priority', '2000'], '--priority: expected a whole number from -1000 to 1000'],
      [['--idempotency-ttl', 'forever', '--idempotency-key', 'k'], '--idempotency-ttl: expected a duration like 90s, 10m or 2h, got "forever"'],
    ];
    for (const [flags, message] of cases) {
      const result = await home.run(['run', 'e2e/quick', ...flags]);
      expect(result.code, `${flags.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(message);
    }
    expect((await home.json<{runs: RunRecord[]}>(['runs'])).runs).toEqual([]);
  });
});
