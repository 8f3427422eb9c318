import {Box, Text} from 'ink';

/** A pane's first line; highlighted while the pane has the keyboard. */
export function PaneTitle({title, detail, focused, width}: {title: string; detail?: string; focused: boolean; width: number}) {
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end">
        <Text bold inverse={focused}>{` ${title} `}</Text>
        {detail ? <Text dimColor> {detail}</Text> : null}
      </Text>
    </Box>
  );
}
