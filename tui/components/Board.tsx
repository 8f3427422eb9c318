import {Box, Text} from 'ink';
import {formatDuration} from '../../src/lib/duration.js';
import type {RunProgress, RunRecord} from '../../src/protocol/index.js';
import {RUN_GLYPHS} from '../../src/render/items.js';
import {BOARD_COLUMNS, progressBar} from '../state/board.js';
import {Tone} from '../theme.js';
import {ScrollList} from './Lines.js';
import {PaneTitle} from './PaneTitle.js';

/** Lines per card. */
const CARD_HEIGHT = 2;

export interface BoardProps {
  /** "reports" or "reports/build_report". */
  scope: string;
  /** Whether the scope is one task (cards then name runs, not tasks). */
  oneTask: boolean;
  columns: RunRecord[][];
  progress: ReadonlyMap<string, RunProgress>;
  column: number;
  index: number;
  width: number;
  height: number;
  now: number;
}

/** Runs as cards in columns queued / running / succeeded / failed / cancelled, progress bars on running cards. */
export function Board({scope, oneTask, columns, progress, column, index, width, height, now}: BoardProps) {
  const columnWidth = Math.max(10, Math.floor(width / BOARD_COLUMNS.length));
  const cards = Math.max(1, Math.floor((height - 2) / CARD_HEIGHT));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <PaneTitle title={`Board · ${scope}`} detail="← → column · ↑ ↓ card · r re-run · c cancel · b/Esc back" focused width={width} />
      <Box flexDirection="row" width={width} height={height - 1}>
        {BOARD_COLUMNS.map((name, columnIndex) => {
          const runs = columns[columnIndex] ?? [];
          const [glyph, tone] = RUN_GLYPHS[name];
          return (
            <Box key={name} flexDirection="column" width={columnWidth} height={height - 1} paddingRight={1}>
              <Text wrap="truncate-end" bold={columnIndex === column}>
                <Tone tone={tone}>{glyph}</Tone> {name} <Text dimColor>{runs.length}</Text>
              </Text>
              <ScrollList
                items={runs}
                selected={columnIndex === column ? index : null}
                height={cards}
                render={(run, _position, selected) => (
                  <Card key={run.id} run={run} progress={progress.get(run.id)} oneTask={oneTask} selected={selected} width={columnWidth - 1} now={now} />
                )}
              />
            </Box>
          );
        })}
      </Box>
    </Box>
  );
}

function Card({run, progress, oneTask, selected, width, now}: {run: RunRecord; progress: RunProgress | undefined; oneTask: boolean; selected: boolean; width: number; now: number}) {
  const [glyph, tone] = RUN_GLYPHS[run.status];
  const elapsed = run.durationMs ?? (run.startedAt ? Math.max(0, now - Date.parse(run.startedAt)) : null);
  const facts = [elapsed === null ? '' : formatDuration(elapsed), run.attempts.length > 1 ? `${run.attempts.length}×` : '', run.error?.type ?? ''].filter(Boolean).join(' · ');
  return (
    <Box flexDirection="column" width={width} height={CARD_HEIGHT}>
      <Text wrap="truncate-end" inverse={selected}>
        {selected ? '›' : ' '}
        <Tone tone={tone}>{glyph}</Tone> {oneTask ? run.id : run.task}
      </Text>
      <Text wrap="truncate-end" dimColor={!selected}>
        {'  '}
        {run.status === 'running' && progress ? <Tone tone="blue">{progressBar(progress.current, progress.total, width - 2)}</Tone> : facts || (oneTask ? '' : run.id)}
      </Text>
    </Box>
  );
}
