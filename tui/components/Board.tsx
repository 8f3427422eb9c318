import {Box, Text} from 'ink';
import {formatDuration} from '../../src/lib/duration.js';
import type {RunProgress, RunRecord, StepRecord} from '../../src/protocol/index.js';
import {RUN_GLYPHS, relativeTime} from '../../src/render/items.js';
import {BOARD_COLUMNS, columnWidths, progressBar} from '../state/board.js';
import {Tone} from '../theme.js';
import {ScrollList} from './Lines.js';
import {PaneTitle} from './PaneTitle.js';
import {StepTimeline, timelineHeight} from './StepTimeline.js';

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
  /** The picked card's steps, shown under the columns (null: loading, or none picked). */
  steps: StepRecord[] | null;
}

/** Runs as cards in columns queued / running / waiting / succeeded / failed / cancelled, progress bars on running cards, the picked card's steps below. */
export function Board({scope, oneTask, columns, progress, column, index, width, height, now, steps}: BoardProps) {
  const picked = columns[column]?.[index] ?? null;
  const timeline = picked === null ? 0 : timelineHeight(steps, Math.floor(height / 3));
  const lanesHeight = height - 1 - timeline;
  const headings = BOARD_COLUMNS.map((lane, columnIndex) => `${RUN_GLYPHS[lane.name][0]} ${lane.name} ${columns[columnIndex]?.length ?? 0}`);
  const widths = columnWidths(width, headings);
  const cards = Math.max(1, Math.floor((lanesHeight - 1) / CARD_HEIGHT));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <PaneTitle title={`Board · ${scope}`} detail="← → column · ↑ ↓ card · r re-run · c cancel · a answer · b/Esc back" focused width={width} />
      <Box flexDirection="row" width={width} height={lanesHeight}>
        {BOARD_COLUMNS.map((lane, columnIndex) => {
          const runs = columns[columnIndex] ?? [];
          const [glyph, tone] = RUN_GLYPHS[lane.name];
          const columnWidth = widths[columnIndex]!;
          return (
            <Box key={lane.name} flexDirection="column" width={columnWidth} height={lanesHeight} paddingRight={1}>
              <Text wrap="truncate-end" bold={columnIndex === column}>
                <Tone tone={tone}>{glyph}</Tone> {lane.name} <Text dimColor>{runs.length}</Text>
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
      {picked !== null && timeline > 0 ? <StepTimeline runId={picked.id} steps={steps!} width={width} height={timeline} now={now} /> : null}
    </Box>
  );
}

function Card({run, progress, oneTask, selected, width, now}: {run: RunRecord; progress: RunProgress | undefined; oneTask: boolean; selected: boolean; width: number; now: number}) {
  const [glyph, tone] = RUN_GLYPHS[run.status];
  const elapsed = run.durationMs ?? (run.startedAt ? Math.max(0, now - Date.parse(run.startedAt)) : null);
  // A run that moves on by itself at a time (its delayed start, a sleep's end, a wait's timeout) says when.
  const wake = run.wakeAt !== null && !run.finishedAt ? `${run.status === 'waiting' ? 'times out' : 'wakes'} ${relativeTime(run.wakeAt, now)}` : '';
  const facts = wake || [elapsed === null ? '' : formatDuration(elapsed), run.attempts.length > 1 ? `${run.attempts.length}×` : '', run.error?.type ?? ''].filter(Boolean).join(' · ');
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
