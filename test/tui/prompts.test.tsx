import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {CapsuleError} from '../../src/lib/errors.js';
import type {PromptRequest, RunRecord} from '../../src/protocol/index.js';
import {FakeClient} from './helpers/fake-client.js';
import {KEY, lineWith, mount} from './helpers/mount.js';
import {handlersFor, makeWorld, run, step} from './helpers/world.js';

afterEach(() => cleanup());

const suspended = {n: 1, startedAt: '2025-06-01T11:59:00.000Z', finishedAt: '2025-06-01T11:59:01.000Z', error: null, suspended: 'waiting' as const};
const waitingRun = (overrides: Partial<RunRecord> = {}) =>
  run({id: 'run_w1', status: 'waiting', createdAt: '2025-06-01T11:59:00.000Z', finishedAt: null, durationMs: null, result: null, attempts: [suspended], wakeAt: '2025-06-01T12:59:00.000Z', ...overrides});
const promptStep = (prompt: Partial<PromptRequest> = {}) =>
  step({key: 'prompt#1', name: 'prompt', kind: 'prompt', status: 'waiting', startedAt: '2025-06-01T11:59:01.000Z', finishedAt: null, durationMs: null, resultBytes: null, until: '2025-06-01T12:59:01.000Z', prompt: {question: 'Which color?', choices: ['red', 'blue'], default: 'red', secret: false, ...prompt}});

/** A task whose newest run waits on `prompt`, behind a finished step; `run.answer` takes only "blue". */
function promptWorld(prompt: Partial<PromptRequest> = {}) {
  const world = makeWorld();
  world.runs.push(
    waitingRun(),
    run({id: 'run_s1', status: 'sleeping', createdAt: '2025-06-01T11:58:30.000Z', finishedAt: null, durationMs: null, wakeAt: '2025-06-01T12:10:00.000Z', attempts: [{...suspended, suspended: 'sleeping'}]}),
    run({id: 'run_d1', status: 'scheduled', createdAt: '2025-06-01T11:58:00.000Z', startedAt: null, finishedAt: null, durationMs: null, attempts: [], wakeAt: '2025-06-01T13:00:00.000Z'}),
  );
  world.steps.run_w1 = [step(), promptStep(prompt)];
  const answered: unknown[] = [];
  const client = new FakeClient({
    ...handlersFor(world),
    'run.answer': (params) => {
      if (params.value !== 'blue') throw new CapsuleError('bad_input', `${JSON.stringify(params.value)} is not one of the choices of "Which color?": red, blue`, {hint: 'answer with one of them'});
      answered.push(params);
      return waitingRun({status: 'queued'});
    },
  });
  return {world, client, answered};
}

/** The board of reports/build_report, with the waiting column picked. */
async function openWaitingColumn(client: FakeClient) {
  const ui = mount(client);
  await ui.waitFor('worker');
  await ui.press('/', 'b', 'u', 'i', 'l', 'd', KEY.enter, 'b');
  await ui.waitFor('Board · reports/build_report');
  await ui.press(KEY.right);
  return ui;
}

describe('waiting runs on the dashboard', () => {
  it('files sleeping runs with the waiting ones and scheduled runs with the queued, each card saying when it moves on', async () => {
    const {client} = promptWorld();
    const ui = await openWaitingColumn(client);
    const frame = await ui.waitFor('Steps of run_w1');
    expect(frame).toMatch(/◌ queued 1\s+● running 0\s+\? waiting 2\s+✓ succeeded 1/);
    expect(frame).toContain('◷ run_d1');
    expect(frame).toContain('? run_w1');
    expect(frame).toContain('☾ run_s1');
    // The fixtures' times are long past: what is checked is which time each card names.
    expect(frame).toMatch(/wakes \d+d/);
    expect(frame).toMatch(/times out \d+d/);
  });

  it('shows the picked run\'s step timeline (key, kind, status, duration, tries, size, the question), kept current by run.step events', async () => {
    const {client} = promptWorld();
    const ui = await openWaitingColumn(client);
    let frame = await ui.waitFor('Steps of run_w1');
    expect(client.callsOf('run.steps')).toContainEqual({id: 'run_w1'});
    expect(lineWith(frame, 'fetch#1')).toMatch(/✓ fetch#1\s+step\s+succeeded\s+250ms\s+1×\s+2KB/);
    expect(lineWith(frame, 'prompt#1')).toContain('asks "Which color?" [red/blue]');
    expect(frame).toContain('a answers its question');
    expect(lineWith(frame, '?  help')).toMatch(/^\s*a\s+answer/);
    client.emit('run.step', {...promptStep(), status: 'succeeded', finishedAt: '2025-06-01T11:59:31.000Z', durationMs: 30_000, resultBytes: 6});
    frame = await ui.waitFor((text) => /✓ prompt#1\s+prompt\s+succeeded\s+30s/.test(text));
    expect(frame).not.toContain('a answers its question');
  });

  it('answers the picked run\'s question with a: the choices shown, a refusal shown in place, Enter sends run.answer', async () => {
    const {client, answered} = promptWorld();
    const ui = await openWaitingColumn(client);
    await ui.waitFor('a answers its question');
    await ui.press('a');
    let frame = await ui.waitFor('Answer run_w1 (prompt#1): Which color?');
    expect(frame).toContain('one of red / blue · Enter alone: red');
    await ui.press('g', 'r', 'e', 'e', 'n', KEY.enter);
    frame = await ui.waitFor('✗ "green" is not one of the choices');
    expect(frame).toContain('answer with one of them');
    expect(frame).toContain('Answer run_w1 (prompt#1)');
    await ui.press(KEY.ctrlU, 'b', 'l', 'u', 'e', KEY.enter);
    frame = await ui.waitFor('answered prompt#1 of run_w1; the run is queued');
    expect(frame).not.toContain('Answer run_w1');
    expect(answered).toEqual([{id: 'run_w1', step: 'prompt#1', value: 'blue'}]);
  });

  it('types a secret answer as bullets and keeps it out of a refusal', async () => {
    const {client} = promptWorld({secret: true, choices: null, default: null, question: 'Password?'});
    const ui = await openWaitingColumn(client);
    await ui.waitFor('a answers its question');
    expect(ui.frame()).toContain('asks "Password?" (secret)');
    await ui.press('a');
    await ui.waitFor('Answer run_w1 (prompt#1): Password?');
    await ui.press('h', 'u', 'n', 't', 'e', 'r', '2');
    await ui.waitFor('•••••••');
    expect(ui.frame()).not.toContain('hunter2');
    await ui.press(KEY.enter);
    const frame = await ui.waitFor('is not one of the choices');
    expect(frame).toContain('"***" is not one of the choices');
    expect(frame).not.toContain('hunter2');
  });

  it('says what a does on a run that asks nothing', async () => {
    const {world, client} = promptWorld();
    world.steps.run_w1 = [step({key: 'go#1', name: 'go', kind: 'wait', status: 'waiting', signal: 'go', until: '2025-06-01T12:59:01.000Z', finishedAt: null, durationMs: null, resultBytes: null})];
    const ui = await openWaitingColumn(client);
    await ui.waitFor('waits for signal "go"');
    await ui.press('a');
    await ui.waitFor('run_w1 waits for a signal or a sleep, not an answer');
    await vi.waitFor(() => expect(client.callsOf('run.answer')).toEqual([]));
  });

  it('shows the timeline under a task\'s details for the run picked there, and a answers it from there too', async () => {
    const {client, answered} = promptWorld();
    const ui = mount(client);
    await ui.waitFor('worker');
    await ui.press('/', 'b', 'u', 'i', 'l', 'd', KEY.enter);
    await ui.waitFor('Task reports/build_report');
    await ui.press(KEY.enter);
    let frame = await ui.waitFor('Steps of run_w1');
    expect(lineWith(frame, 'prompt#1')).toContain('asks "Which color?" [red/blue]');
    expect(lineWith(frame, '?  help')).toMatch(/^\s*a\s+answer/);
    // The next run down sleeps: its steps (none here) replace the waiting run's.
    await ui.press('j');
    frame = await ui.waitFor((text) => !text.includes('Steps of run_w1'));
    await ui.press('k');
    await ui.waitFor('a answers its question');
    await ui.press('a', 'b', 'l', 'u', 'e', KEY.enter);
    await ui.waitFor('answered prompt#1 of run_w1');
    expect(answered).toEqual([{id: 'run_w1', step: 'prompt#1', value: 'blue'}]);
  });
});
