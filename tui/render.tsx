import {render} from 'ink';
import {colorEnabled} from '../src/render/style.js';
import {Dashboard} from './App.js';
import type {Connect} from './client.js';
import {AlternateScreen} from './terminal.js';

export interface RenderDashboardOptions {
  /** Opens a connection to the daemon, or resolves null while none answers; called again after the connection drops. */
  connect: Connect;
  /** @default process.stdin */
  stdin?: NodeJS.ReadStream;
  /** @default process.stdout */
  stdout?: NodeJS.WriteStream;
  /** @default colour on a TTY, off under NO_COLOR */
  color?: boolean;
  /** Route console output through Ink so stray logging cannot garble the screen. @default true */
  patchConsole?: boolean;
}

/** At most this many frames a second reach the terminal, whatever triggers them. */
export const MAX_FPS = 20;

const STOP_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;

/**
 * Runs the dashboard until the user quits. The one helper commands call: it owns the
 * terminal (alternate screen, raw input, cursor) and gives it back clean on quit, on a
 * signal and on a crash; a crash inside the UI rejects with its error.
 */
export async function renderDashboard(options: RenderDashboardOptions): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const screen = new AlternateScreen(stdout);
  const restore = () => screen.leave();
  screen.enter();
  process.once('exit', restore);
  const instance = render(<Dashboard connect={options.connect} color={options.color ?? colorEnabled(stdout)} />, {
    stdout,
    stdin: options.stdin ?? process.stdin,
    exitOnCtrlC: false,
    maxFps: MAX_FPS,
    patchConsole: options.patchConsole ?? true,
  });
  const stop = () => instance.unmount();
  for (const signal of STOP_SIGNALS) process.once(signal, stop);
  try {
    await instance.waitUntilExit();
  } finally {
    instance.unmount();
    instance.cleanup();
    for (const signal of STOP_SIGNALS) process.off(signal, stop);
    process.off('exit', restore);
    screen.leave();
  }
}
