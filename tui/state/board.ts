import {RUN_STATUSES, type RunRecord} from '../../src/protocol/index.js';

/**
 * One column per run status, cancelled included: a cancelled run was stopped on purpose, which
 * is not a failure, so it is neither filed nor counted with the failed ones.
 */
export const BOARD_COLUMNS = RUN_STATUSES;

/** Runs (newest first) split into the board's columns, keeping their order. */
export function boardColumns(runs: RunRecord[]): RunRecord[][] {
  const columns: RunRecord[][] = BOARD_COLUMNS.map(() => []);
  for (const run of runs) columns[BOARD_COLUMNS.indexOf(run.status)]!.push(run);
  return columns;
}

/** A text progress bar `width` cells wide with a percentage, or a count when the total is unknown. */
export function progressBar(current: number, total: number | null, width: number): string {
  if (total === null || total <= 0) return `${current} done`;
  const ratio = Math.max(0, Math.min(1, current / total));
  const cells = Math.max(1, width - 5);
  const filled = Math.round(ratio * cells);
  return `${'█'.repeat(filled)}${'░'.repeat(cells - filled)} ${String(Math.round(ratio * 100)).padStart(3)}%`;
}
