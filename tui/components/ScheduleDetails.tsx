import {Box, Text} from 'ink';
import type {ErrorPayload} from '../../src/lib/errors.js';
import type {RunRecord, ScheduleSummary} from '../../src/protocol/index.js';
import {RUN_GLYPHS, relativeTime} from '../../src/render/items.js';
import {cronHasSeconds} from '../../src/lib/cron-fields.js';
import {fireTime} from '../format.js';
import {Tone} from '../theme.js';
import {Line} from './Lines.js';
import {RunRows} from './RunRows.js';

/** How many upcoming fires the pane asks schedule.next for. */
export const NEXT_FIRES = 3;

export interface ScheduleDetailsProps {
  namespace: string;
  schedule: ScheduleSummary;
  next: {fires: string[]; timezone: string} | null;
  nextError: ErrorPayload | null;
  runs: RunRecord[];
  selected: number | null;
  width: number;
  height: number;
  now: number;
}

/** A schedule's cron and zone, its next fires (from the daemon, in its zone) and its last results. */
export function ScheduleDetails({namespace, schedule, next, nextError, runs, selected, width, height, now}: ScheduleDetailsProps) {
  const state = !schedule.enabled ? 'disabled' : schedule.paused ? 'paused (p resumes)' : 'active';
  // A rule with a seconds field fires within a minute of itself: minutes alone would show its fires as one.
  const seconds = cronHasSeconds(schedule.cron);
  const fires = nextError ? [`  unavailable: ${nextError.message}`] : next ? next.fires.map((fire) => `  ${fireTime(fire, next.timezone, seconds)}  ${relativeTime(fire, now)}`) : ['  …'];
  const shownFires = fires.length ? fires : ['  none'];
  const fixed = 5 + shownFires.length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line width={width}>
        <Text dimColor>cron </Text>
        {schedule.cron}
        <Text dimColor> · zone </Text>
        {schedule.timezone}
        <Text dimColor> · declared in {schedule.source}</Text>
      </Line>
      <Line width={width}>
        <Text dimColor>runs </Text>
        {namespace}/{schedule.task}
        <Text dimColor> · overlap {schedule.overlap} · catch-up {schedule.catchUp}</Text>
      </Line>
      <Line width={width}>
        <Tone tone={state === 'active' ? 'magenta' : 'gray'}>{state === 'active' ? '◷' : '⏸'}</Tone> {state}
        <Text dimColor>{schedule.skipped ? ` · ${schedule.skipped} skipped` : ''}</Text>
        {schedule.lastRun ? (
          <Text>
            <Text dimColor> · last fire{schedule.lastFireAt ? ` ${relativeTime(schedule.lastFireAt, now)}` : ''} → </Text>
            <Tone tone={RUN_GLYPHS[schedule.lastRun.status][1]}>{RUN_GLYPHS[schedule.lastRun.status][0]}</Tone> {schedule.lastRun.status}
          </Text>
        ) : (
          <Text dimColor> · never fired</Text>
        )}
      </Line>
      <Line width={width} dim>{`Next fires (${next?.timezone ?? schedule.timezone})`}</Line>
      {shownFires.map((fire, index) => (
        <Line key={index} width={width}>
          {fire}
        </Line>
      ))}
      <Line width={width} dim>{`Last results of ${schedule.task}`}</Line>
      <RunRows runs={runs} selected={selected} height={height - fixed} width={width} now={now} />
    </Box>
  );
}
