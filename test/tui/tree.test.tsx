import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {FakeClient} from './helpers/fake-client.js';
import {KEY, lineWith, mount} from './helpers/mount.js';
import {handlersFor, makeWorld} from './helpers/world.js';

afterEach(() => cleanup());

describe('dashboard tree', () => {
  it('shows namespace → tasks / schedules / services with status glyphs', async () => {
    const ui = mount(new FakeClient(handlersFor(makeWorld())));
    const frame = await ui.waitFor('worker');
    const order = ['◆ billing', 'tasks  1', '○ invoice', '◆ reports', 'tasks  2', '✗ build_report', '○ cleanup', 'schedules  1', '◷ nightly', 'services  2', '● api', '○ worker'];
    expect(order.map((text) => frame.indexOf(text))).toEqual(order.map((text) => frame.indexOf(text)).sort((a, b) => a - b));
    expect(order.every((text) => frame.includes(text))).toBe(true);
    expect(lineWith(frame, '● api')).toMatch(/● api\s+healthy · pid 4242 · up 2h/);
    expect(lineWith(frame, '○ worker')).toContain('stopped · ↻ 0');
    expect(lineWith(frame, '◆ billing')).toMatch(/^›/);
  });

  it('counts the daemon\'s code sessions in the header', async () => {
    const world = makeWorld();
    world.status = {...world.status, sessions: {idle: 2, busy: 1, lost: 1}};
    const frame = await mount(new FakeClient(handlersFor(world)), {columns: 160, rows: 40}).waitFor('sessions');
    expect(frame).toContain('›_ 3 sessions, 1 lost');
  });

  it('moves with j k and the arrow keys, a page with PgDn, to the ends with g and G', async () => {
    const ui = mount(new FakeClient(handlersFor(makeWorld())));
    await ui.waitFor('worker');
    await ui.press('j', 'j', KEY.down);
    expect(lineWith(await ui.waitFor('Project reports'), '◆ reports')).toMatch(/^›/);
    await ui.press('j', 'j');
    expect(lineWith(await ui.waitFor('Task reports/build_report'), '✗ build_report')).toMatch(/^›/);
    await ui.press('k', KEY.up);
    await ui.waitFor('Project reports');
    await ui.press(KEY.pageUp);
    await ui.waitFor('Project billing');
    await ui.press(KEY.pageDown);
    await ui.waitFor('Service reports/worker');
    await ui.press('G');
    await ui.waitFor('Service reports/worker');
    await ui.press('g');
    await ui.waitFor('Project billing');
  });

  it('folds with ← and unfolds with → (and Enter toggles a namespace)', async () => {
    const ui = mount(new FakeClient(handlersFor(makeWorld())));
    await ui.waitFor('worker');
    await ui.press(KEY.left);
    let frame = await ui.waitFor((text) => !text.includes('invoice'));
    expect(frame).toContain('▸ ◆ billing');
    await ui.press(KEY.right);
    frame = await ui.waitFor('invoice');
    await ui.press('j', 'j', 'j', KEY.enter);
    frame = await ui.waitFor((text) => !text.includes('build_report'));
    expect(frame).toContain('▸ ◆ reports');
    // ← on an item climbs to its group first.
    await ui.press(KEY.enter, 'j', 'j', KEY.left);
    expect(lineWith(await ui.waitFor('▾ tasks  2'), 'tasks  2')).toMatch(/^›/);
  });

  it('filters with /: rows narrow as you type, Enter keeps the filter, Esc clears it', async () => {
    const ui = mount(new FakeClient(handlersFor(makeWorld())));
    await ui.waitFor('worker');
    await ui.press('/', 'w', 'o', 'r');
    let frame = await ui.waitFor((text) => !text.includes('invoice') && text.includes('Filter the tree'));
    expect(frame).toContain('○ worker');
    expect(frame).not.toContain('● api');
    expect(lineWith(frame, '○ worker')).toMatch(/^›/);
    await ui.press(KEY.enter);
    frame = await ui.waitFor((text) => !text.includes('Filter the tree'));
    expect(frame).toContain('filter /wor');
    expect(frame).toContain('Service reports/worker');
    await ui.press('/', 'z', 'z', 'z', KEY.enter);
    await ui.waitFor('nothing matches /zzz');
    await ui.press(KEY.escape);
    frame = await ui.waitFor('invoice');
    expect(frame).not.toContain('filter /');
  });

  it('renders only the rows in view, so 1,000 items scroll without drawing them all', async () => {
    const world = makeWorld();
    world.projects[1]!.tasks = Array.from({length: 1000}, (_, index) => ({...world.projects[1]!.tasks[0]!, name: `job_${String(index).padStart(4, '0')}`}));
    const ui = mount(new FakeClient(handlersFor(world)));
    await ui.waitFor('job_0000');
    expect(ui.frame()).not.toContain('job_0100');
    await ui.press('G');
    const frame = await ui.waitFor('Service reports/worker');
    expect(frame).not.toContain('job_0000');
    expect(frame).toContain('1011/1011');
    await ui.press('/', '0', '9', '9', '9', KEY.enter);
    expect(lineWith(await ui.waitFor('Task billing/job_0999'), '○ job_0999')).toMatch(/^›/);
  });
});
