// Following a live log past the daemon's in-memory tail: every line exactly once, for runs (the
// CLI's `logs -f` and the public client) and services alike. Each test follows many times,
// because a gap between reading the tail and subscribing shows only when a line lands in it.
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {DaemonClient} from '../../src/client/client.js';
import {connect, type CapsuleClient} from '../../src/client/public.js';
import {homePaths} from '../../src/lib/home.js';
import {TestHome, collect, waitFor} from '../helpers/cli.js';
import {fixtureCommand, ServicesHome} from './services-harness.js';
import {PROJECTS, SLOW, startWithProject, submit} from './tasks-helpers.js';

const FOLLOW_PROJECT = join(PROJECTS, 'follow');
/** More than the 200 lines the daemon holds in memory per run, so a follower's tail is read from the file. */
const PAST_MEMORY_TAIL = 250;
const FOLLOWS = 20;
/** A bound on a gated run's log, well under the 1 MB a run may log. */
const MAX_LINES = 8000;

let home: TestHome;
let services: ServicesHome | null = null;
let connections: {close(): void}[] = [];

beforeEach(async () => {
  home = await TestHome.create();
});

afterEach(async () => {
  for (const connection of connections) connection.close();
  connections = [];
  await services?.cleanup();
  services = null;
  await home.cleanup();
});

/** The numbers of the lines a follower printed, in order (`line 7`, `tick 7`). */
function numbersIn(text: string, word: string): number[] {
  return [...text.matchAll(new RegExp(`\\b${word} (\\d+)$`, 'gm'))].map((match) => Number(match[1]));
}

/** Where a sequence of line numbers skips or repeats lines: empty when it counts up by one. */
function breaks(numbers: number[]): string[] {
  const found: string[] = [];
  for (let index = 1; index < numbers.length; index++) {
    const [previous, current] = [numbers[index - 1]!, numbers[index]!];
    if (current !== previous + 1) found.push(current > previous + 1 ? `${current - previous - 1} lost after ${previous}` : `${current} after ${previous}`);
  }
  return found;
}

async function daemonClient(): Promise<DaemonClient> {
  const client = await DaemonClient.connect(homePaths({CAPSULE_HOME: home.home}));
  connections.push(client);
  return client;
}

/** The number of the run's last logged line. */
async function lastLogged(client: DaemonClient, runId: string): Promise<number> {
  const {lines} = await client.call('run.logs', {id: runId, tail: 1});
  return lines.length === 0 ? 0 : numbersIn(lines[0]!.message, 'line')[0]!;
}

describe('following a run past the in-memory tail', SLOW, () => {
  it('`capsule logs RUN -f` prints every line once, up to the last, however late it starts', async () => {
    await startWithProject(home, {}, FOLLOW_PROJECT);
    const gate = join(home.home, 'gate');
    const runId = await submit(home, 'follow/chatty', {gate, lines: MAX_LINES, batch: 1, everyMs: 4});
    const client = await daemonClient();
    const followers: ReturnType<typeof collect>[] = [];
    // A few at a time, spread over the run: each group starts once the log has grown since the previous one had its tails.
    for (let group = 0; group < FOLLOWS / 4; group++) {
      const from = group === 0 ? PAST_MEMORY_TAIL : (await lastLogged(client, runId)) + 20;
      await waitFor(async () => (await lastLogged(client, runId)) >= from, {timeoutMs: 30_000, what: `line ${from}`});
      const started = Array.from({length: 4}, () => collect(home.spawn(['logs', runId, '-f', '-n', '1000'])));
      followers.push(...started);
      await waitFor(() => started.every((follower) => follower.text !== ''), {timeoutMs: 30_000, what: `followers of group ${group} to print their tails`});
    }
    // Every follower read its tail while the run was logging; now let it end.
    await writeFile(gate, '');
    const outcomes = await Promise.all(
      followers.map(async (follower) => {
        const code = await follower.closed;
        const numbers = numbersIn(follower.text, 'line');
        return {code, breaks: breaks(numbers), last: numbers.at(-1)};
      }),
    );
    const total = (await client.call('run.wait', {id: runId})).result;
    expect(total).toBeLessThan(MAX_LINES);
    expect(outcomes).toEqual(followers.map(() => ({code: 0, breaks: [], last: total})));
  });

  it('the public client follows a run it submitted, from mid-run, with every line once', async () => {
    await startWithProject(home, {}, FOLLOW_PROJECT);
    const capsule: CapsuleClient = await connect({home: home.home, autostart: false});
    connections.push(capsule);
    const client = await daemonClient();
    const outcomes: {breaks: string[]; first: number | undefined; last: number | undefined; total: unknown}[] = [];
    for (let trial = 0; trial < FOLLOWS; trial++) {
      const gate = join(home.home, `gate-${trial}`);
      const run = await capsule.submit('follow/chatty', {gate, lines: MAX_LINES, batch: 5, everyMs: 10});
      await waitFor(async () => (await lastLogged(client, run.id)) >= PAST_MEMORY_TAIL, {timeoutMs: 30_000, what: `${run.id} line ${PAST_MEMORY_TAIL}`});
      const numbers: number[] = [];
      for await (const event of run.events()) {
        if (event.type !== 'log') continue;
        numbers.push(...numbersIn(event.line.message, 'line'));
        // The tail was read with the gate shut: the run was still logging.
        if (numbers.length === PAST_MEMORY_TAIL + 100) await writeFile(gate, '');
      }
      outcomes.push({breaks: breaks(numbers), first: numbers[0], last: numbers.at(-1), total: (await run.wait()).result});
    }
    expect(outcomes).toEqual(outcomes.map((outcome) => ({breaks: [], first: 1, last: outcome.total, total: outcome.total})));
  });
});

describe('following a service', SLOW, () => {
  it('`capsule logs NS/SERVICE -f` prints every line once from its tail on', async () => {
    services = await ServicesHome.create();
    await services.project('follow', `[services.tick]\n${fixtureCommand('ticker.js', '2')}\n`);
    await waitFor(async () => (numbersIn(await services!.ok(['logs', 'follow/tick', '-n', '1']), 'tick')[0] ?? 0) >= PAST_MEMORY_TAIL, {what: 'a few hundred ticks'});
    const follow = async () => {
      const child = services!.home.spawn(['logs', 'follow/tick', '-f', '-n', '300']);
      const follower = collect(child);
      // 300 from the tail, then at least 100 that arrived live.
      await waitFor(() => numbersIn(follower.text, 'tick').length >= 400, {timeoutMs: 30_000, what: 'a follower to print 400 ticks'});
      child.kill('SIGINT');
      const code = await follower.closed;
      return {code, breaks: breaks(numbersIn(follower.text, 'tick'))};
    };
    const outcomes: {code: number | null; breaks: string[]}[] = [];
    // A few at a time, so their tails are read at different moments.
    for (let group = 0; group < FOLLOWS / 4; group++) outcomes.push(...(await Promise.all(Array.from({length: 4}, follow))));
    expect(outcomes).toEqual(outcomes.map(() => ({code: 0, breaks: []})));
  });
});
