import {Box, Text} from 'ink';
import {useKeyboard} from '../hooks/useKeyboard.js';
import {Tone} from '../theme.js';

/** A one-key confirmation on the status line: y goes ahead, any other key cancels. */
export function Confirm({question, width, onAnswer}: {question: string; width: number; onAnswer(yes: boolean): void}) {
  useKeyboard((input) => onAnswer(input === 'y' || input === 'Y'));
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end">
        <Tone tone="yellow" bold>
          ? {question}
        </Tone>
        <Text dimColor> y confirms · any other key cancels</Text>
      </Text>
    </Box>
  );
}
