import {FIRST_BOARD_COLUMN} from './board.js';
import type {TreeRow} from './tree.js';

export type Focus = 'tree' | 'details' | 'logs';
export type Mode = 'main' | 'board' | 'help';

/** What the board shows: a namespace's runs, or one task's. */
export interface BoardScope {
  namespace: string;
  task: string | null;
}

/** Where the user is: pure data, changed only through the functions below. */
export interface ViewState {
  mode: Mode;
  focus: Focus;
  /** The selected tree row by key, so it stays selected while rows come and go... */
  selectedKey: string | null;
  /** ...and by position, the fallback when that row disappears. */
  selectedIndex: number;
  collapsed: ReadonlySet<string>;
  filter: string;
  /** The run or config value picked in the details pane. */
  detailIndex: number;
  board: {scope: BoardScope | null; column: number; index: number};
  /** n of the log's top line while not following; null follows the end. */
  logAnchor: number | null;
  /** The log search; both it and the anchor go when the pane shows another log (freshLog). */
  logSearch: string;
}

export const INITIAL_VIEW: ViewState = {
  mode: 'main',
  focus: 'tree',
  selectedKey: null,
  selectedIndex: 0,
  collapsed: new Set(),
  filter: '',
  detailIndex: 0,
  board: {scope: null, column: FIRST_BOARD_COLUMN, index: 0},
  logAnchor: null,
  logSearch: '',
};

export function selectedRow(rows: TreeRow[], view: ViewState): number {
  if (rows.length === 0) return 0;
  // A new filter lands on its first matching item rather than on a namespace row.
  if (view.selectedKey === null && view.filter) return Math.max(0, rows.findIndex((row) => row.folded === null));
  const byKey = view.selectedKey === null ? -1 : rows.findIndex((row) => row.key === view.selectedKey);
  return byKey !== -1 ? byKey : Math.min(view.selectedIndex, rows.length - 1);
}

export function select(view: ViewState, rows: TreeRow[], index: number): ViewState {
  if (rows.length === 0) return view;
  const clamped = Math.max(0, Math.min(rows.length - 1, index));
  const key = rows[clamped]!.key;
  if (key === view.selectedKey && clamped === view.selectedIndex) return view;
  return {...view, selectedKey: key, selectedIndex: clamped, detailIndex: 0};
}

/** ← on a project or group folds it; on an item, moves to its group. → unfolds. */
export function fold(view: ViewState, rows: TreeRow[], folded: boolean): ViewState {
  const index = selectedRow(rows, view);
  const row = rows[index];
  if (!row) return view;
  if (row.folded === null) {
    if (!folded) return view;
    const parent = rows.slice(0, index).findLastIndex((candidate) => candidate.depth < row.depth);
    return parent === -1 ? view : select(view, rows, parent);
  }
  if (row.folded === folded) return view;
  const collapsed = new Set(view.collapsed);
  if (folded) collapsed.add(row.key);
  else collapsed.delete(row.key);
  return {...view, collapsed};
}

export function moveDetail(view: ViewState, delta: number, count: number): ViewState {
  return {...view, detailIndex: Math.max(0, Math.min(count - 1, view.detailIndex + delta))};
}

export function moveBoard(view: ViewState, columns: number[], columnDelta: number, indexDelta: number): ViewState {
  const column = Math.max(0, Math.min(columns.length - 1, view.board.column + columnDelta));
  const size = columns[column] ?? 0;
  const index = columnDelta !== 0 ? Math.min(view.board.index, Math.max(0, size - 1)) : Math.max(0, Math.min(size - 1, view.board.index + indexDelta));
  return {...view, board: {...view.board, column, index}};
}

/** The log pane as a newly shown log starts: following its end, not searched. */
export function freshLog(view: ViewState): ViewState {
  return view.logAnchor === null && view.logSearch === '' ? view : {...view, logAnchor: null, logSearch: ''};
}
