import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {KEYS} from '../../tui/keys.js';
import {FakeClient} from './helpers/fake-client.js';
import {KEY, mount, resize} from './helpers/mount.js';
import {handlersFor, makeWorld} from './helpers/world.js';

afterEach(() => cleanup());

const width = (line: string) => [...line].length;

describe('layout', () => {
  it('fits 80×24 (one line spare, so drawing never scrolls the terminal) and adapts on resize', async () => {
    const ui = mount(new FakeClient(handlersFor(makeWorld())), {columns: 80, rows: 24});
    await ui.waitFor('build_report');
    await ui.press('j', 'j', 'j', 'j', 'j');
    let frame = await ui.waitFor('Task reports/build_report');
    let lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    expect(Math.max(...lines.map(width))).toBeLessThanOrEqual(80);
    for (const text of ['capsule 0.1.0', '● 0 running', 'Projects', 'build_report', 'ram 512MB', 'Log · reports/build_report', '↑↓  move']) expect(frame).toContain(text);

    resize(ui.stdout, {columns: 140, rows: 45});
    frame = await ui.waitFor((text) => text.split('\n').length > 40);
    lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(44);
    expect(Math.max(...lines.map(width))).toBeLessThanOrEqual(140);
    // Wide enough for the daemon and the counts on one line.
    expect(lines[0]).toMatch(/capsule 0\.1\.0 .* ● 0 running/);
    expect(frame).toContain('worker');
  });

  it('? shows every key, and any key closes it', async () => {
    const ui = mount(new FakeClient(handlersFor(makeWorld())), {columns: 80, rows: 24});
    await ui.waitFor('Projects');
    await ui.press('?');
    const frame = await ui.waitFor('Keys');
    for (const {keys} of KEYS) expect(frame).toContain(keys);
    expect(frame.split('\n').length).toBeLessThanOrEqual(23);
    await ui.press(KEY.escape);
    await ui.waitFor('Projects');
  });
});
