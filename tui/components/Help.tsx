import {Box, Text} from 'ink';
import {KEYS} from '../keys.js';
import {PaneTitle} from './PaneTitle.js';

/** Every key, one per line (two columns when the terminal is wide enough to fit them). */
export function Help({width, height}: {width: number; height: number}) {
  const keyWidth = Math.max(...KEYS.map((entry) => entry.keys.length)) + 2;
  const rows = height - 1;
  const columns = KEYS.length > rows && width >= 120 ? 2 : 1;
  const perColumn = Math.ceil(KEYS.length / columns);
  const columnWidth = Math.floor(width / columns);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <PaneTitle title="Keys" detail="any key closes" focused width={width} />
      <Box flexDirection="row">
        {Array.from({length: columns}, (_, column) => (
          <Box key={column} flexDirection="column" width={columnWidth}>
            {KEYS.slice(column * perColumn, (column + 1) * perColumn).map((entry) => (
              <Text key={entry.keys} wrap="truncate-end">
                <Text bold>{entry.keys.padEnd(keyWidth)}</Text>
                {entry.action}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
