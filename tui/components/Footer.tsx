import {Box, Text} from 'ink';
import type {KeyHint} from '../keys.js';

/** The keys that apply right now, as many as fit. */
export function Footer({hints, width}: {hints: KeyHint[]; width: number}) {
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end">
        {hints.map(([key, label], index) => (
          <Text key={key}>
            {index > 0 ? '  ' : ''}
            <Text bold inverse>{` ${key} `}</Text>
            <Text dimColor> {label}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
