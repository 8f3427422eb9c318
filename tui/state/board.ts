import type {RunRecord, RunStatus} from '../../src/protocol/index.js';

/** A column of the board: runs in any of its statuses, headed by the first. */
export interface BoardLane {
  name: RunStatus;
  statuses: readonly RunStatus[];
}

/**
 * The board's columns. A run not started yet waits in `queued` whether for a worker or for its
 * time (`scheduled`); a run stopped at a durable pause, holding no worker, is `waiting` whether
 * for an answer, a signal or the end of a sleep (each card's glyph tells which). Cancelled has
 * its own: a cancelled run was stopped on purpose, which is not a failure, so it is neither
 * filed nor counted with the failed ones.
 */
export const BOARD_COLUMNS: readonly BoardLane[] = [
  {name: 'queued', statuses: ['scheduled', 'queued']},
  {name: 'running', statuses: ['running']},
  {name: 'waiting', statuses: ['waiting', 'sleeping']},
  {name: 'succeeded', statuses: ['succeeded']},
  {name: 'failed', statuses: ['failed']},
  {name: 'cancelled', statuses: ['cancelled']},
];

/** The column the board opens on: what runs now. */
export const FIRST_BOARD_COLUMN = 1;

const LANE_OF = new Map<RunStatus, number>(BOARD_COLUMNS.flatMap((lane, index) => lane.statuses.map((status) => [status, index] as const)));

/** Runs (newest first) split into the board's columns, keeping their order. */
export function boardColumns(runs: RunRecord[]): RunRecord[][] {
  const columns: RunRecord[][] = BOARD_COLUMNS.map(() => []);
  for (const run of runs) columns[LANE_OF.get(run.status)!]!.push(run);
  return columns;
}

/**
 * Widths of the columns across `width`: each gets what its heading (`✓ succeeded 12`) and a
 * space need, and the rest is shared out evenly; when even that does not fit, equal widths.
 */
export function columnWidths(width: number, headings: string[]): number[] {
  const needs = headings.map((heading) => [...heading].length + 1);
  const spare = width - needs.reduce((sum, need) => sum + need, 0);
  if (spare < 0) return headings.map(() => Math.max(4, Math.floor(width / headings.length)));
  const share = Math.floor(spare / headings.length);
  return needs.map((need) => need + share);
}

/** A text progress bar `width` cells wide with a percentage, or a count when the total is unknown. */
export function progressBar(current: number, total: number | null, width: number): string {
  if (total === null || total <= 0) return `${current} done`;
  const ratio = Math.max(0, Math.min(1, current / total));
  const cells = Math.max(1, width - 5);
  const filled = Math.round(ratio * cells);
  return `${'█'.repeat(filled)}${'░'.repeat(cells - filled)} ${String(Math.round(ratio * 100)).padStart(3)}%`;
}
