import type {LogLevel} from '../../src/protocol/index.js';

type ConsoleSink = (level: LogLevel, args: unknown[]) => void;

const CAPTURED: ReadonlyArray<readonly ['log' | 'info' | 'debug' | 'warn' | 'error', LogLevel]> = [
  ['log', 'log'],
  ['info', 'info'],
  ['debug', 'log'],
  ['warn', 'warn'],
  ['error', 'error'],
];

let sink: ConsoleSink | null = null;
let installed = false;

/**
 * Sends console output of task code to the running attempt's log instead of the daemon's own
 * stdout. A worker runs one attempt at a time, so one sink at a time is enough; output made
 * between attempts goes to the original console.
 */
export function routeConsoleTo(next: ConsoleSink | null): void {
  if (!installed) install();
  sink = next;
}

function install(): void {
  installed = true;
  for (const [method, level] of CAPTURED) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => (sink === null ? original(...args) : sink(level, args));
  }
}
