import type {LogLine} from './log.js';

/** The first visible row of a list `height` tall that keeps `selected` in view, moving as little as possible from `previous`. */
export function scrollTop(previous: number, selected: number, height: number, total: number): number {
  let top = previous;
  if (selected < top) top = selected;
  else if (selected >= top + height) top = selected - height + 1;
  return Math.max(0, Math.min(top, total - height));
}

/**
 * The lines a log view `height` tall shows: the last ones while following (anchor null),
 * else from the line numbered `anchor` on, so arriving lines do not move the view.
 */
export function logWindow(lines: LogLine[], height: number, anchor: number | null): {start: number; end: number} {
  const last = Math.max(0, lines.length - height);
  if (anchor === null) return {start: last, end: lines.length};
  const found = lines.findIndex((line) => line.n >= anchor);
  const start = Math.min(found === -1 ? last : found, last);
  return {start, end: Math.min(lines.length, start + height)};
}
