import type {RunRecord, RunStatus} from '../../src/protocol/index.js';

export const BOARD_COLUMNS = ['queued', 'running', 'succeeded', 'failed'] as const;
export type BoardColumn = (typeof BOARD_COLUMNS)[number];

/** Cancelled runs sit with the failed ones: both ended without a result. */
const COLUMN_OF: Record<RunStatus, BoardColumn> = {queued: 'queued', running: 'running', succeeded: 'succeeded', failed: 'failed', cancelled: 'failed'};

/** Runs (newest first) split into the board's columns, keeping their order. */
export function boardColumns(runs: RunRecord[]): RunRecord[][] {
  const columns: RunRecord[][] = BOARD_COLUMNS.map(() => []);
  for (const run of runs) columns[BOARD_COLUMNS.indexOf(COLUMN_OF[run.status])]!.push(run);
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
