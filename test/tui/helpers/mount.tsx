import {render} from 'ink-testing-library';
import {stripVTControlCharacters} from 'node:util';
import {Dashboard} from '../../../tui/App.js';
import type {Connect} from '../../../tui/client.js';
import type {FakeClient} from './fake-client.js';

export const KEY = {up: '\u001B[A', down: '\u001B[B', pageUp: '\u001B[5~', pageDown: '\u001B[6~', right: '\u001B[C', left: '\u001B[D', enter: '\r', escape: '\u001B', backspace: '\u007F', ctrlU: '\u0015'} as const;

export type Mounted = ReturnType<typeof mount>;

/** A terminal large enough for every pane to show its content in full. */
export const ROOMY = {columns: 120, rows: 40};

/** The dashboard on ink-testing-library's fake terminal, resized to `size`. */
export function mount(client: FakeClient | Connect, size: {columns: number; rows: number} = ROOMY) {
  const connect: Connect = typeof client === 'function' ? client : () => Promise.resolve(client);
  const instance = render(<Dashboard connect={connect} color={false} />);
  resize(instance.stdout, size);
  // Styles are not what these tests check; whether the terminal gets colours is another matter (NO_COLOR).
  const frame = () => stripVTControlCharacters(instance.lastFrame() ?? '');
  return {
    ...instance,
    frame,
    /** Types keys one at a time, letting React commit what each one changed before the next, as a person typing does. */
    async press(...keys: string[]): Promise<void> {
      for (const key of keys) {
        instance.stdin.write(key);
        await settle();
      }
    },
    /** Polls the last frame until it satisfies `check` (a substring or a predicate). */
    async waitFor(check: string | RegExp | ((frame: string) => boolean), timeoutMs = 5000): Promise<string> {
      const test = typeof check === 'string' ? (text: string) => text.includes(check) : check instanceof RegExp ? (text: string) => check.test(text) : check;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = frame();
        if (test(current)) return current;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${String(check)}; last frame:\n${current}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

/** Lets React run the render a key scheduled (it commits from a microtask or the scheduler's setImmediate). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Gives the fake stdout a size and tells Ink (and the dashboard) it changed, as a terminal resize does. */
export function resize(stdout: NodeJS.EventEmitter, size: {columns: number; rows: number}): void {
  Object.defineProperty(stdout, 'columns', {value: size.columns, configurable: true});
  Object.defineProperty(stdout, 'rows', {value: size.rows, configurable: true});
  stdout.emit('resize');
}

/** The line of `frame` containing `text`. */
export function lineWith(frame: string, text: string): string {
  return frame.split('\n').find((line) => line.includes(text)) ?? '';
}

/** The input line of the open prompt. */
export function inputLine(frame: string): string {
  return frame.split('\n').find((line) => line.startsWith('› ') && !line.startsWith('›  ')) ?? '';
}
