import {Box, Text} from 'ink';
import {formatDuration} from '../../src/lib/duration.js';
import type {Connection} from '../hooks/useDaemon.js';
import {Tone} from '../theme.js';

/** Shown while there is no connection: what is wrong, for how long, and that it is being retried. */
export function Banner({connection, now, width}: {connection: Connection; now: number; width: number}) {
  if (connection.state === 'connected') return null;
  const text =
    connection.state === 'connecting'
      ? '◌ connecting to the daemon…'
      : `⚠ daemon unreachable for ${formatDuration(Math.max(0, now - connection.since))} — reconnecting${connection.attempts ? ` (attempt ${connection.attempts + 1})` : ''}; what you see may be stale`;
  const detail = connection.error ? ` · ${connection.error.message}` : '';
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end">
        <Tone tone={connection.state === 'connecting' ? 'yellow' : 'red'} bold inverse>
          {` ${text} `}
        </Tone>
        <Text dimColor>{detail}</Text>
      </Text>
    </Box>
  );
}
