import {headerHeight} from './components/Header.js';
import type {TerminalSize} from './hooks/useTerminalSize.js';

export interface Layout {
  width: number;
  /** Lines drawn: one less than the terminal, so writing the frame never scrolls it. */
  height: number;
  /** Tree and details (or the board, or the help). */
  bodyHeight: number;
  treeWidth: number;
  detailsWidth: number;
  logHeight: number;
}

/** Lines outside the body besides the header: status line and footer. */
const CHROME = 2;

/** Splits the terminal into header, body, log, prompt and footer; fits 80×24 and anything larger. */
export function layout(size: TerminalSize, options: {banner: boolean; modalHeight: number; showLog: boolean}): Layout {
  const width = Math.max(20, size.columns);
  const height = Math.max(8, size.rows - 1);
  const middle = Math.max(2, height - headerHeight(width) - CHROME - (options.banner ? 1 : 0) - options.modalHeight);
  const logHeight = options.showLog ? Math.min(14, Math.max(Math.min(3, middle - 1), Math.round(middle * 0.35))) : 0;
  const treeWidth = Math.min(56, Math.max(24, Math.floor(width * 0.4)));
  return {width, height, bodyHeight: middle - logHeight, treeWidth: Math.min(treeWidth, width), detailsWidth: Math.max(0, width - treeWidth - 1), logHeight};
}
