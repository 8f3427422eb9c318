import {Box, Text} from 'ink';
import {useRef, type ReactNode} from 'react';
import {scrollTop} from '../state/window.js';

/** One truncated line of a pane. */
export function Line({width, children, dim}: {width: number; children?: ReactNode; dim?: boolean}) {
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end" dimColor={dim}>
        {children}
      </Text>
    </Box>
  );
}

/** A list `height` tall that keeps `selected` (null: none picked) in view; rows are rendered only when visible. */
export function ScrollList<T>({items, selected, height, render}: {items: T[]; selected: number | null; height: number; render: (item: T, index: number, selected: boolean) => ReactNode}) {
  const top = useRef(0);
  top.current = scrollTop(top.current, selected ?? 0, Math.max(1, height), items.length);
  return <>{items.slice(top.current, top.current + Math.max(0, height)).map((item, index) => render(item, top.current + index, top.current + index === selected))}</>;
}
