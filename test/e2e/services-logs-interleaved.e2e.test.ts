/** `capsule logs NS` and `capsule logs`: several services' output interleaved, through the real CLI and daemon. */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {collect, waitFor} from '../helpers/cli.js';
import {fixtureCommand, ServicesHome} from './services-harness.js';
import {SLOW} from './tasks-helpers.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

interface Tagged {
  label: string;
  time: string;
  tick: number;
}

/** `api    | 12:00:01.234 tick 7` → its parts; fails on any other line (the `ready` line has no tick: -1). */
function parse(output: string): Tagged[] {
  return output
    .trimEnd()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^(\S+) +\| (\d\d:\d\d:\d\d\.\d{3}) (?:tick (\d+)|ready)$/.exec(line);
      if (!match) throw new Error(`not a tagged service line: ${JSON.stringify(line)}`);
      return {label: match[1]!, time: match[2]!, tick: match[3] === undefined ? -1 : Number(match[3])};
    });
}

/** Each label's ticks, in the order shown. */
function ticksBy(lines: Tagged[]): Map<string, number[]> {
  const by = new Map<string, number[]>();
  for (const line of lines) by.set(line.label, [...(by.get(line.label) ?? []), line.tick]);
  return by;
}

/** Every label's ticks go up by one: none lost, none shown twice. */
function expectConsecutive(lines: Tagged[]): void {
  for (const [label, ticks] of ticksBy(lines)) {
    const counted = ticks.filter((tick) => tick >= 0);
    expect(counted.slice(1).every((tick, index) => tick === counted[index]! + 1), `${label}: ${counted.join(' ')}`).toBe(true);
  }
}

async function mixProject(): Promise<void> {
  await s.project('mix', `[services.api]\n${fixtureCommand('ticker.js', '40')}\n\n[services.worker]\n${fixtureCommand('ticker.js', '55')}\n`);
  for (const name of ['api', 'worker']) await waitFor(async () => (await s.ok(['logs', `mix/${name}`])).includes('tick 6'), {timeoutMs: 30_000, what: `mix/${name} to tick`});
}

describe('capsule logs NS', SLOW, () => {
  it('prints the last N lines of all its services, each prefixed with its name, merged by time', async () => {
    await mixProject();
    const output = await s.ok(['logs', 'mix', '-n', '10']);
    expect(output).not.toContain('\u001B');
    const lines = parse(output);
    expect(lines).toHaveLength(10);
    expect(new Set(lines.map((line) => line.label))).toEqual(new Set(['api', 'worker']));
    // The prefixes are padded to one width.
    expect(output).toMatch(/^api {4}\| /m);
    expect(output).toMatch(/^worker \| /m);
    const times = lines.map((line) => line.time);
    expect(times).toEqual([...times].sort());
    // The last 10 across both: each service's share is a run of its own lines without a gap.
    expectConsecutive(lines);
  });

  it('with -f prints the new lines of all its services, each once, for follower after follower', async () => {
    await mixProject();
    // Each follower joins a tail and live lines of two services numbered apart: a line of one
    // must not hide the other's, nor be shown twice.
    for (let round = 0; round < 6; round++) {
      const follower = s.home.spawn(['logs', 'mix', '-f', '-n', String(round % 3)]);
      const output = collect(follower);
      const lines = await waitFor(() => {
        // Whole lines only: the last may still be arriving.
        const shown = parse(output.stdout.slice(0, output.stdout.lastIndexOf('\n') + 1));
        const by = ticksBy(shown);
        return (by.get('api')?.length ?? 0) >= 4 && (by.get('worker')?.length ?? 0) >= 4 ? shown : null;
      }, {timeoutMs: 30_000, what: `round ${round}: lines of both services`});
      expectConsecutive(lines);
      follower.kill('SIGINT');
      expect(await output.closed).toBe(0);
    }
  });

  it('refuses a namespace no project has, exit 2', async () => {
    await s.project('mix', `[services.api]\n${fixtureCommand('ticker.js', '1000')}\n`);
    const result = await s.run(['logs', 'mixx']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no service, task, schedule or project is named "mixx"');
    expect(result.stderr).toContain('did you mean "mix"?');
  });
});

describe('capsule logs', SLOW, () => {
  it("interleaves every project's services, prefixed NS/NAME", async () => {
    await s.project('one', `[services.api]\n${fixtureCommand('ticker.js', '40')}\n`);
    await s.project('two', `[services.web]\n${fixtureCommand('ticker.js', '40')}\n`);
    for (const target of ['one/api', 'two/web']) await waitFor(async () => (await s.ok(['logs', target])).includes('tick 4'), {timeoutMs: 30_000, what: `${target} to tick`});
    const lines = parse(await s.ok(['logs', '-n', '8']));
    expect(lines).toHaveLength(8);
    expect(new Set(lines.map((line) => line.label))).toEqual(new Set(['one/api', 'two/web']));
    expectConsecutive(lines);

    const follower = s.home.spawn(['logs', '-f', '-n', '0']);
    const output = collect(follower);
    await waitFor(() => output.stdout.includes('one/api') && output.stdout.includes('two/web'), {timeoutMs: 30_000, what: 'live lines of both projects'});
    follower.kill('SIGINT');
    expect(await output.closed).toBe(0);
  });
});
