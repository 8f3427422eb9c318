/** Colour only on a TTY, and never when NO_COLOR is set (https://no-color.org) or FORCE_COLOR=0. */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return Boolean(stream.isTTY);
}

const CODES = {bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], magenta: [35, 39], cyan: [36, 39], gray: [90, 39], brightGreen: [92, 39], brightBlue: [94, 39], brightMagenta: [95, 39], brightCyan: [96, 39]} as const;
export type StyleName = keyof typeof CODES;
export type Paint = (style: StyleName, text: string) => string;

export function painter(enabled: boolean): Paint {
  if (!enabled) return (_style, text) => text;
  return (style, text) => `\u001B[${CODES[style][0]}m${text}\u001B[${CODES[style][1]}m`;
}

/** Cuts a plain string to `width` columns with an ellipsis. */
export function truncate(text: string, width: number): string {
  // A string never has more code points than UTF-16 units: most lines (every one, when piped)
  // fit without splitting them into an array, which for a 500-project tree was a fifth of its time.
  if (text.length <= width) return text;
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, width).join('');
  return `${chars.slice(0, width - 1).join('')}…`;
}

/**
 * How wide tables and trees may be: a terminal's width, so nothing wraps, and no limit
 * (Infinity) when the output is piped or redirected, where a cut would lose what a script or
 * a reader of the file came for.
 */
export function terminalWidth(stream: Pick<NodeJS.WriteStream, 'isTTY' | 'columns'> = process.stdout): number {
  if (!stream.isTTY) return Number.POSITIVE_INFINITY;
  return stream.columns || FALLBACK_TERMINAL_WIDTH;
}

/** A terminal that does not report its size (some CI pseudo-terminals). */
const FALLBACK_TERMINAL_WIDTH = 100;
