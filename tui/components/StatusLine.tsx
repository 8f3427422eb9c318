import {Box, Text} from 'ink';
import {Tone} from '../theme.js';

export interface StatusMessage {
  tone: 'pending' | 'ok' | 'error' | 'info';
  text: string;
  hint?: string;
}

const MARKS = {pending: ['…', 'dim'], ok: ['✓', 'green'], error: ['✗', 'red'], info: ['·', 'dim']} as const;

/** The outcome of the last action (or what is in progress), with the hint of an error. */
export function StatusLine({status, width}: {status: StatusMessage | null; width: number}) {
  return (
    <Box width={width} height={1}>
      {status ? (
        <Text wrap="truncate-end">
          <Tone tone={MARKS[status.tone][1]}>{MARKS[status.tone][0]}</Tone> {status.text}
          {status.hint ? <Text dimColor> — {status.hint}</Text> : null}
        </Text>
      ) : (
        <Text> </Text>
      )}
    </Box>
  );
}
