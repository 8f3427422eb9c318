import {Box, Text} from 'ink';
import {formatDuration} from '../../src/lib/duration.js';
import {formatSize} from '../../src/lib/size.js';
import type {SessionSummary} from '../../src/protocol/index.js';
import {SESSION_GLYPHS, relativeTime} from '../../src/render/items.js';
import {Tone} from '../theme.js';
import {Line} from './Lines.js';

/** A code session: its state and process, what it is for, its limits, how it has been used, and how to reach it. */
export function SessionDetails({session, width, height, now}: {session: SessionSummary; width: number; height: number; now: number}) {
  const [glyph, tone] = SESSION_GLYPHS[session.state];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line width={width}>
        <Tone tone={tone}>{glyph}</Tone> {session.state}
        <Text dimColor> · pid </Text>
        {session.pid ?? '–'}
        <Text dimColor> · rss </Text>
        {session.rssBytes === null ? '–' : formatSize(session.rssBytes)}
        <Text dimColor> · </Text>
        {session.isolation}
      </Line>
      <Line width={width}>
        <Text dimColor>project </Text>
        {session.project ?? 'none'}
      </Line>
      <Line width={width}>
        <Text dimColor>opened </Text>
        {relativeTime(session.createdAt, now)}
        <Text dimColor> · last used </Text>
        {relativeTime(session.lastUsedAt, now)}
        <Text dimColor> · snippets </Text>
        {session.executions}
        <Text dimColor> · replaced </Text>
        {session.replacements}
      </Line>
      <Line width={width}>
        <Text dimColor>limits </Text>
        {[
          `ram ${session.ramBytes === null ? 'none' : formatSize(session.ramBytes)}`,
          `cpu ${session.cpuMs === null ? 'none' : `${formatDuration(session.cpuMs)} a snippet`}`,
          `idle ${formatDuration(session.idleTimeoutMs)}`,
          `age ${formatDuration(session.maxAgeMs)}`,
        ].join(' · ')}
      </Line>
      {session.reason === null ? null : (
        <Line width={width}>
          <Tone tone={tone}>{session.reason}</Tone>
        </Line>
      )}
      <Line width={width} dim>
        {session.state === 'lost' ? `s forgets it · \`capsule session new\` opens another` : `\`capsule session repl ${session.id}\` attaches · c interrupts its snippet · s closes it`}
      </Line>
    </Box>
  );
}

/** The sessions heading: how many, in which states, and how to open one. */
export function SessionsDetails({sessions, width, height}: {sessions: readonly SessionSummary[]; width: number; height: number}) {
  const count = (state: SessionSummary['state']) => sessions.filter((session) => session.state === state).length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line width={width}>{`${count('idle')} idle · ${count('busy')} busy · ${count('lost')} lost`}</Line>
      <Line width={width} dim>
        {'`capsule session new` opens one · `capsule session repl` opens one to type in'}
      </Line>
    </Box>
  );
}
