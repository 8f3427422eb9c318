import {truncate, type Paint} from './style.js';

/**
 * Plain aligned columns. The last column takes what width remains and is cut to fit, so a
 * table never wraps; with an unbounded width (output that is not a terminal, see
 * `terminalWidth`) nothing is cut.
 */
export function renderTable(headers: string[], rows: string[][], options: {width: number; paint: Paint}): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => [...(row[column] ?? '')].length)));
  const fixed = widths.slice(0, -1).reduce((sum, width) => sum + width + 2, 0);
  widths[widths.length - 1] = Math.max(8, Math.min(widths.at(-1)!, options.width - fixed));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? truncate(cell, widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [options.paint('bold', line(headers)), ...rows.map(line)].join('\n');
}
