import {Box, Text} from 'ink';
import {formatDuration} from '../../src/lib/duration.js';
import {formatSize} from '../../src/lib/size.js';
import type {DaemonStatus} from '../../src/protocol/index.js';
import {RUN_GLYPHS, SERVICE_GLYPHS} from '../../src/render/items.js';
import type {HeaderCounts} from '../state/counts.js';
import {Tone} from '../theme.js';

/** Narrower terminals get the daemon and the counts on two lines. */
const ONE_LINE_WIDTH = 120;

export function headerHeight(width: number): number {
  return width >= ONE_LINE_WIDTH ? 1 : 2;
}

/** The daemon (version, uptime, RSS), then runs, services, schedules, nodes (with a backend) and sessions at a glance. */
export function Header({status, counts, width}: {status: DaemonStatus | null; counts: HeaderCounts; width: number}) {
  const daemon = (
    <Text>
      <Text bold>capsule</Text>
      <Text dimColor>{status ? ` ${status.version} · up ${formatDuration(status.uptimeMs)} · ${formatSize(status.rssBytes)} RSS` : ' …'}</Text>
    </Text>
  );
  const figures = (
    <Text>
      <Tone tone={RUN_GLYPHS.running[1]}>{RUN_GLYPHS.running[0]}</Tone> {counts.running} running <Tone tone={RUN_GLYPHS.queued[1]}>{RUN_GLYPHS.queued[0]}</Tone> {counts.queued} queued
      <Text dimColor>{' · '}</Text>
      <Tone tone={SERVICE_GLYPHS.healthy[1]}>{SERVICE_GLYPHS.healthy[0]}</Tone> {counts.healthy} up <Tone tone={counts.unhealthy ? SERVICE_GLYPHS.unhealthy[1] : 'dim'}>{SERVICE_GLYPHS.unhealthy[0]}</Tone> {counts.unhealthy} unhealthy
      <Text dimColor>{' · '}</Text>
      <Tone tone="magenta">◷</Tone> {counts.dueSoon} schedules due in 1h
      {status?.cluster && status.cluster.backend !== 'file' ? (
        <>
          <Text dimColor>{' · '}</Text>
          <Tone tone="blue">⬡</Tone>{' '}
          {status.cluster.reachable ? (
            <>
              {status.cluster.up} nodes{status.cluster.lost > 0 ? <Tone tone="red">{`, ${status.cluster.lost} lost`}</Tone> : ''}
            </>
          ) : (
            <Tone tone="red">backend out of reach</Tone>
          )}
        </>
      ) : null}
      {status?.sessions ? (
        <>
          <Text dimColor>{' · '}</Text>
          <Tone tone="cyan">›_</Tone> {status.sessions.idle + status.sessions.busy} sessions{status.sessions.lost > 0 ? `, ${status.sessions.lost} lost` : ''}
        </>
      ) : null}
    </Text>
  );
  if (headerHeight(width) === 1) {
    return (
      <Box width={width} height={1}>
        <Text wrap="truncate-end">
          {daemon}
          {'   '}
          {figures}
        </Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={width} height={2}>
      <Text wrap="truncate-end">{daemon}</Text>
      <Text wrap="truncate-end">{figures}</Text>
    </Box>
  );
}
