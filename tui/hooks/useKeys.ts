import type {Key} from 'ink';
import {useRef, type Dispatch, type SetStateAction} from 'react';
import type {Commands, Modal} from '../commands.js';
import type {LogLine} from '../state/log.js';
import type {TreeRow} from '../state/tree.js';
import {FIRST_BOARD_COLUMN} from '../state/board.js';
import {fold, moveBoard, moveDetail, select, selectedRow, type BoardScope, type ViewState} from '../state/view.js';
import {logWindow} from '../state/window.js';
import {useKeyboard} from './useKeyboard.js';

export interface KeyContext {
  view: ViewState;
  setView: Dispatch<SetStateAction<ViewState>>;
  setModal: Dispatch<SetStateAction<Modal | null>>;
  rows: TreeRow[];
  /** Tree rows per page. */
  page: number;
  /** Runs or config values listed in the details pane. */
  detailCount: number;
  /** Cards per board column. */
  boardSizes: number[];
  /** What `b` shows for the current selection; null when nothing is selected. */
  boardScope: BoardScope | null;
  /** The log's lines as shown (after the search) and the lines it has room for. */
  log: {lines: LogLine[]; height: number};
  commands: Commands;
  exit(): void;
}

/** The dashboard's keyboard: every key of the help screen, by mode and focus. */
export function useKeys(context: KeyContext): void {
  // Keys may arrive faster than renders: each builds on the view the previous one made.
  const view = useRef(context.view);
  view.current = context.view;
  useKeyboard((input, key) => {
    if (key.ctrl) return;
    const next = handleKey({...context, view: view.current}, input, key);
    if (next !== view.current) {
      view.current = next;
      context.setView(next);
    }
  });
}

function handleKey(context: KeyContext, input: string, key: Key): ViewState {
  const {view} = context;
  if (input === 'q') {
    context.exit();
    return view;
  }
  if (view.mode === 'help') return {...view, mode: 'main'};
  if (input === '?') return {...view, mode: 'help'};
  if (input === 'b') return toggleBoard(context);
  if (view.mode === 'board' && view.focus !== 'logs') {
    const moved = handleBoard(view, context.boardSizes, input, key);
    if (moved) return moved;
  }
  const common = handleCommon(context, input, key);
  if (common) return common;
  if (view.focus === 'logs') return handleLog(context, input, key);
  if (view.focus === 'details') return handleDetails(view, context.detailCount, input, key);
  return handleTree(view, context.rows, context.page, input, key);
}

function toggleBoard({view, boardScope}: KeyContext): ViewState {
  if (view.mode === 'board') return {...view, mode: 'main'};
  if (boardScope === null) return view;
  return {...view, mode: 'board', board: {scope: boardScope, column: FIRST_BOARD_COLUMN, index: 0}};
}

function handleBoard(view: ViewState, sizes: number[], input: string, key: Key): ViewState | null {
  if (key.escape) return {...view, mode: 'main'};
  if (key.leftArrow) return moveBoard(view, sizes, -1, 0);
  if (key.rightArrow) return moveBoard(view, sizes, 1, 0);
  if (key.upArrow || input === 'k') return moveBoard(view, sizes, 0, -1);
  if (key.downArrow || input === 'j') return moveBoard(view, sizes, 0, 1);
  return null;
}

/** Keys that act the same whatever has the focus; null when `input` is none of them. */
function handleCommon(context: KeyContext, input: string, key: Key): ViewState | null {
  const {view, commands} = context;
  const daemonKeys: Record<string, () => void> = {r: commands.restart, s: commands.stopStart, t: commands.runTask, c: commands.cancel, p: commands.pause, a: commands.action, e: commands.edit};
  const command = daemonKeys[input];
  if (command) {
    command();
    return view;
  }
  if (input === 'l') return {...view, focus: view.focus === 'logs' ? 'tree' : 'logs'};
  if (input === 'f') return {...view, logAnchor: view.logAnchor === null ? topLine(context) : null};
  if (input === '/') {
    context.setModal(view.focus === 'logs' ? {kind: 'search', before: view.logSearch} : {kind: 'filter', before: view.filter});
    return view;
  }
  if (key.escape && view.focus !== 'tree') return {...view, focus: 'tree'};
  return null;
}

function handleTree(view: ViewState, rows: TreeRow[], page: number, input: string, key: Key): ViewState {
  const index = selectedRow(rows, view);
  if (key.upArrow || input === 'k') return select(view, rows, index - 1);
  if (key.downArrow || input === 'j') return select(view, rows, index + 1);
  if (key.pageUp) return select(view, rows, index - page);
  if (key.pageDown) return select(view, rows, index + page);
  if (key.home || input === 'g') return select(view, rows, 0);
  if (key.end || input === 'G') return select(view, rows, rows.length - 1);
  if (key.leftArrow) return fold(view, rows, true);
  if (key.rightArrow) return fold(view, rows, false);
  if (key.escape && view.filter) return {...view, filter: ''};
  if (key.return) {
    const row = rows[index];
    if (!row) return view;
    return row.folded === null ? {...view, focus: 'details', detailIndex: 0} : fold(view, rows, !row.folded);
  }
  return view;
}

function handleDetails(view: ViewState, count: number, input: string, key: Key): ViewState {
  if (key.upArrow || input === 'k') return moveDetail(view, -1, count);
  if (key.downArrow || input === 'j') return moveDetail(view, 1, count);
  if (key.leftArrow) return {...view, focus: 'tree'};
  return view;
}

function handleLog({view, log}: KeyContext, input: string, key: Key): ViewState {
  const {lines, height} = log;
  if (lines.length === 0) return view;
  const bottom = Math.max(0, lines.length - height);
  const scrollTo = (start: number): ViewState => ({...view, logAnchor: lines[Math.max(0, Math.min(bottom, start))]!.n});
  const {start} = logWindow(lines, height, view.logAnchor);
  if (key.upArrow || input === 'k') return scrollTo(start - 1);
  if (key.downArrow || input === 'j') return scrollTo(start + 1);
  if (key.pageUp) return scrollTo(start - height);
  if (key.pageDown) return scrollTo(start + height);
  if (key.home || input === 'g') return scrollTo(0);
  if (key.end || input === 'G') return {...view, logAnchor: null};
  return view;
}

/** n of the log's top line as shown now: where the view stays when following stops. */
function topLine({view, log}: KeyContext): number {
  const {start} = logWindow(log.lines, log.height, view.logAnchor);
  return log.lines[start]?.n ?? 0;
}
