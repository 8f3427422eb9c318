import {Box, Text} from 'ink';
import {formatDuration} from '../../src/lib/duration.js';
import {formatSize} from '../../src/lib/size.js';
import type {RunRecord, TaskSummary} from '../../src/protocol/index.js';
import {RUN_GLYPHS} from '../../src/render/items.js';
import {Tone} from '../theme.js';
import {Line} from './Lines.js';
import {RunRows} from './RunRows.js';

export interface TaskDetailsProps {
  namespace: string;
  task: TaskSummary;
  runs: RunRecord[];
  selected: number | null;
  width: number;
  height: number;
  now: number;
}

/** A task's limits, its live counts and its recent runs (status, duration, attempts, error type). */
export function TaskDetails({namespace, task, runs, selected, width, height, now}: TaskDetailsProps) {
  const fixed = 5;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line width={width}>
        <Text dimColor>module </Text>
        {task.module} <Text dimColor>· {task.isolation} isolation · {namespace}/{task.name}</Text>
      </Line>
      <Line width={width}>
        <Text dimColor>ram </Text>
        {formatSize(task.ramBytes)}
        <Text dimColor> · timeout </Text>
        {formatDuration(task.timeoutMs)}
        <Text dimColor> · compute </Text>
        {formatDuration(task.computeMs)}
        <Text dimColor> · retries </Text>
        {task.maxRetries}
      </Line>
      <Line width={width}>
        <Text dimColor>concurrency </Text>
        {task.concurrency ?? 'unlimited'}
        <Text dimColor> · lock </Text>
        {task.lock ?? 'none'}
      </Line>
      <Line width={width}>
        <Tone tone={RUN_GLYPHS.running[1]}>{RUN_GLYPHS.running[0]}</Tone> {task.running} running{'  '}
        <Tone tone={RUN_GLYPHS.queued[1]}>{RUN_GLYPHS.queued[0]}</Tone> {task.queued} queued
      </Line>
      <Line width={width} dim>
        {`Recent runs${selected === null ? ' (Enter picks one: r re-runs, c cancels)' : ''}`}
      </Line>
      <RunRows runs={runs} selected={selected} height={height - fixed} width={width} now={now} />
    </Box>
  );
}
