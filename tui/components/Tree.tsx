import {Box, Text} from 'ink';
import {useRef} from 'react';
import type {TaskActivity} from '../state/runs.js';
import {describeRow, type RowLine, type TreeRow} from '../state/tree.js';
import {scrollTop} from '../state/window.js';
import {Tone} from '../theme.js';
import {PaneTitle} from './PaneTitle.js';

export interface TreeProps {
  rows: TreeRow[];
  selected: number;
  /** Lines available, title included. */
  height: number;
  width: number;
  focused: boolean;
  filter: string;
  /** Live task counts for the facts; null when the daemon does not list runs. */
  activity: ReadonlyMap<string, TaskActivity> | null;
  now: number;
}

/** namespace → tasks / schedules / services, then the code sessions; only the rows in view are described and rendered, so a long tree costs what a short one does. */
export function Tree({rows, selected, height, width, focused, filter, activity, now}: TreeProps) {
  const lines = Math.max(1, height - 1);
  const top = useRef(0);
  top.current = scrollTop(top.current, selected, lines, rows.length);
  const visible = rows.slice(top.current, top.current + lines);
  const position = rows.length > lines ? `${selected + 1}/${rows.length}` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <PaneTitle title="Projects" detail={[filter ? `filter /${filter}` : '', position].filter(Boolean).join(' · ')} focused={focused} width={width} />
      {rows.length === 0 ? (
        <Text dimColor wrap="truncate-end">
          {filter ? ` nothing matches /${filter} (Esc clears)` : ' no projects: `capsule project add DIR`'}
        </Text>
      ) : null}
      {visible.map((row, index) => (
        <TreeLine key={row.key} row={row} line={describeRow(row, activity, now)} selected={top.current + index === selected} width={width} />
      ))}
    </Box>
  );
}

function TreeLine({row, line, selected, width}: {row: TreeRow; line: RowLine; selected: boolean; width: number}) {
  const indent = '  '.repeat(row.depth);
  const fold = row.folded === null ? '' : row.folded ? '▸ ' : '▾ ';
  const facts = line.facts.length ? `  ${line.facts.join(' · ')}` : '';
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end" inverse={selected}>
        {selected ? '›' : ' '}
        {indent}
        {fold}
        {line.glyph ? <Tone tone={line.tone}>{line.glyph} </Tone> : null}
        <Text bold={row.subject.kind !== 'group'} dimColor={row.subject.kind === 'group'}>
          {row.label}
        </Text>
        <Text dimColor>{facts}</Text>
      </Text>
    </Box>
  );
}
