import {Box, Text} from 'ink';
import type {StyleName} from '../../src/render/style.js';
import {clockTime} from '../format.js';
import type {LogLine, LogState, LogTone} from '../state/log.js';
import {logWindow} from '../state/window.js';
import {Tone} from '../theme.js';
import {PaneTitle} from './PaneTitle.js';

const TONES: Record<LogTone, StyleName> = {warn: 'yellow', error: 'red', stderr: 'yellow', action: 'cyan'};

export interface LogPaneProps {
  log: LogState;
  /** The lines to show: the log's, narrowed to the search matches when searching. */
  lines: LogLine[];
  /** What the log belongs to, for the title ("reports/api", "run_…"). */
  subject: string | null;
  /** n of the top line while not following; null follows the end. */
  anchor: number | null;
  search: string;
  focused: boolean;
  width: number;
  /** Lines available, title included. */
  height: number;
}

/** The live log of the selection: follows the end unless scrolled. */
export function LogPane({log, lines, subject, anchor, search, focused, width, height}: LogPaneProps) {
  const body = Math.max(0, height - 1);
  const {start, end} = logWindow(lines, body, anchor);
  const detail = [anchor === null ? 'follow on' : `follow off · ${lines.length - end} below`, search ? `/${search}: ${lines.length} match${lines.length === 1 ? '' : 'es'}` : '', log.loading ? 'loading…' : '']
    .filter(Boolean)
    .join(' · ');
  const empty = log.error ? `log unavailable: ${log.error}` : subject === null ? 'select a task, a run or a service to see its log' : log.loading ? '' : search ? 'no line matches' : 'no output yet';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <PaneTitle title={`Log${subject ? ` · ${subject}` : ''}`} detail={detail} focused={focused} width={width} />
      {lines.length === 0 && empty ? <Text dimColor> {empty}</Text> : null}
      {lines.slice(start, end).map((line) => (
        <Box key={line.n} width={width} height={1}>
          <Text wrap="truncate-end">
            <Text dimColor>{line.time ? `${clockTime(line.time)} ` : ''}</Text>
            {line.tone ? <Tone tone={TONES[line.tone]}>{line.text}</Tone> : line.text}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
