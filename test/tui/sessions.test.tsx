import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {FakeClient} from './helpers/fake-client.js';
import {KEY, lineWith, mount} from './helpers/mount.js';
import {handlersFor, makeWorld, session} from './helpers/world.js';

afterEach(() => cleanup());

function setup() {
  const world = makeWorld({sessions: [session(), session({id: 'ses_99aa88bb77', project: null, isolation: 'sandbox', state: 'busy', executions: 1})]});
  const client = new FakeClient({
    ...handlersFor(world),
    'session.close': ({id}) => ({...world.sessions.find((known) => known.id === id)!, state: 'closed', reason: 'closed by you'}),
    'session.interrupt': ({id}) => ({interrupted: `${id}-execution`}),
  });
  return {world, client, ui: mount(client, {columns: 200, rows: 40})};
}

describe('dashboard sessions', () => {
  it('lists the code sessions under the projects, with their state, project, isolation and use', async () => {
    const {ui} = setup();
    const frame = await ui.waitFor('ses_99aa88bb77');
    expect(frame.indexOf('›_ sessions')).toBeGreaterThan(frame.indexOf('invoice'));
    expect(lineWith(frame, '›_ sessions')).toContain('sessions  2');
    expect(lineWith(frame, 'ses_0a1b2c3d4e')).toMatch(/○ ses_0a1b2c3d4e\s+idle · reports · 12 snippets · 56M/);
    expect(lineWith(frame, 'ses_99aa88bb77')).toMatch(/● ses_99aa88bb77\s+busy · no project · sandbox · 1 sn/);
  });

  it('shows a session\'s details, and follows session.updated: a new one appears, a closed one goes', async () => {
    const {client, world, ui} = setup();
    await ui.waitFor('ses_99aa88bb77');
    await ui.press('/', ...'0a1b', KEY.enter);
    let frame = await ui.waitFor('Session ses_0a1b2c3d4e');
    expect(frame).toContain('project reports');
    expect(frame).toContain('ram 512MB · cpu none · idle 15m · age 1d');
    expect(frame).toContain('`capsule session repl ses_0a1b2c3d4e` attaches');
    await ui.press(KEY.escape);
    client.emit('session.updated', session({id: 'ses_1234567890', project: 'billing'}));
    frame = await ui.waitFor('ses_1234567890');
    expect(lineWith(frame, '›_ sessions')).toContain('sessions  3');
    client.emit('session.updated', {...world.sessions[1]!, state: 'closed'});
    frame = await ui.waitFor((text) => !text.includes('ses_99aa88bb77'));
    expect(lineWith(frame, '›_ sessions')).toContain('sessions  2');
  });

  it('the log pane shows the selected session\'s output as its snippets write it, and no other session\'s', async () => {
    const {client, ui} = setup();
    await ui.waitFor('ses_99aa88bb77');
    await ui.press('/', ...'99aa', KEY.enter);
    await ui.waitFor('ses_99aa88bb77 (its snippets\' output from now on)');
    client.emit('session.output', {session: 'ses_0a1b2c3d4e', execution: 'x1', stream: 'stdout', text: 'not this one\n'});
    client.emit('session.output', {session: 'ses_99aa88bb77', execution: 'x2', stream: 'stdout', text: 'step 1 of 3\nstep 2 of 3\n'});
    client.emit('session.output', {session: 'ses_99aa88bb77', execution: 'x2', stream: 'stderr', text: 'warning: slow\n'});
    const frame = await ui.waitFor('warning: slow');
    expect(frame.indexOf('step 1 of 3')).toBeLessThan(frame.indexOf('step 2 of 3'));
    expect(frame.indexOf('step 2 of 3')).toBeLessThan(frame.indexOf('warning: slow'));
    expect(frame).not.toContain('not this one');
  });

  it('s closes a session after a confirmation; c interrupts the snippet of a busy one and says when none runs', async () => {
    const {client, ui} = setup();
    await ui.waitFor('ses_99aa88bb77');
    await ui.press('/', ...'0a1b', KEY.enter);
    await ui.waitFor('Session ses_0a1b2c3d4e');
    expect(await ui.waitFor('c  interrupt')).toContain('s  close');
    await ui.press('c');
    await ui.waitFor('no snippet is running in ses_0a1b2c3d4e');
    expect(client.callsOf('session.interrupt')).toEqual([]);
    await ui.press('s');
    await ui.waitFor('Close session ses_0a1b2c3d4e? Its names are gone for good.');
    await ui.press('y');
    await ui.waitFor('✓ closed ses_0a1b2c3d4e');
    expect(client.callsOf('session.close')).toEqual([{id: 'ses_0a1b2c3d4e'}]);
    await ui.press('/', KEY.ctrlU, ...'99aa', KEY.enter);
    await ui.waitFor('Session ses_99aa88bb77');
    await ui.press('c');
    await ui.waitFor('Interrupt the snippet running in ses_99aa88bb77?');
    await ui.press('y');
    await ui.waitFor('✓ interrupted the snippet running in ses_99aa88bb77');
    expect(client.callsOf('session.interrupt')).toEqual([{id: 'ses_99aa88bb77'}]);
  });
});
