import chalk from 'chalk';
import {afterEach, describe, expect, it} from 'vitest';
import {renderDashboard} from '../../tui/render.js';
import {FakeClient} from './helpers/fake-client.js';
import {FakeKeyboard, FakeScreen} from './helpers/terminal.js';
import {handlersFor, makeWorld} from './helpers/world.js';

const ENTER_ALT_SCREEN = '\u001B[?1049h';
const LEAVE_ALT_SCREEN = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';
/** Whether `text` sets a foreground colour (SGR 30–37, 90–97); bold, dim and inverse are not colours. */
const hasColour = (text: string) => text.split('\u001B').some((part) => /^\[(3[0-7]|9[0-7])m/.test(part));

const saved = {noColor: process.env.NO_COLOR, level: chalk.level};
afterEach(() => {
  if (saved.noColor === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = saved.noColor;
  chalk.level = saved.level;
});

describe('renderDashboard', () => {
  it('draws on the alternate screen and gives the terminal back as it was on q', async () => {
    const screen = new FakeScreen();
    const keys = new FakeKeyboard();
    const client = new FakeClient(handlersFor(makeWorld()));
    const done = renderDashboard({connect: async () => client, stdout: screen.stream, stdin: keys.stream, patchConsole: false});
    await screen.until('worker');
    expect(screen.output.startsWith(ENTER_ALT_SCREEN)).toBe(true);
    keys.press('q');
    await done;
    expect(screen.output.endsWith(`${SHOW_CURSOR}${LEAVE_ALT_SCREEN}`)).toBe(true);
    expect(client.closed).toBe(true);
  });

  it('gives the terminal back and rejects with the error when the dashboard crashes', async () => {
    const screen = new FakeScreen();
    const keys = new FakeKeyboard();
    // A project without its item lists breaks the tree while rendering.
    const client = new FakeClient({...handlersFor(makeWorld()), 'project.list': () => ({projects: [{namespace: 'broken'} as never]})});
    const done = renderDashboard({connect: async () => client, stdout: screen.stream, stdin: keys.stream, patchConsole: false});
    await expect(done).rejects.toThrow();
    expect(screen.output.endsWith(`${SHOW_CURSOR}${LEAVE_ALT_SCREEN}`)).toBe(true);
  });

  it('uses colour on a terminal, and none under NO_COLOR', async () => {
    const render = async () => {
      const screen = new FakeScreen();
      const keys = new FakeKeyboard();
      const done = renderDashboard({connect: async () => new FakeClient(handlersFor(makeWorld())), stdout: screen.stream, stdin: keys.stream, patchConsole: false});
      await screen.until('worker');
      keys.press('q');
      await done;
      return screen.output;
    };
    // Ink colours through chalk, which picked its level from the test runner's own stdout
    // (no colours): raise it, so whatever colour the dashboard asks for shows.
    chalk.level = 1;
    delete process.env.NO_COLOR;
    expect(hasColour(await render())).toBe(true);
    process.env.NO_COLOR = '1';
    const plain = await render();
    expect(plain).toContain('worker');
    expect(hasColour(plain)).toBe(false);
  });
});
