import {Box, Text} from 'ink';
import {useRef, useState} from 'react';
import {scrollTop} from '../state/window.js';
import {useKeyboard} from '../hooks/useKeyboard.js';
import {PaneTitle} from './PaneTitle.js';

/** Options shown at once; the list scrolls past that. */
export const PICKER_ROWS = 5;

export interface PickerOption {
  label: string;
  detail: string | null;
}

export function pickerHeight(options: PickerOption[]): number {
  return 1 + Math.min(PICKER_ROWS, Math.max(1, options.length));
}

/** Choose one option: ↑ ↓ (or j k) and Enter, or its number; Esc cancels. */
export function Picker({title, options, width, onPick, onCancel}: {title: string; options: PickerOption[]; width: number; onPick(index: number): void; onCancel(): void}) {
  const [index, setIndex] = useState(0);
  const current = useRef(0);
  const top = useRef(0);
  const move = (next: number) => {
    current.current = Math.max(0, Math.min(options.length - 1, next));
    setIndex(current.current);
  };
  useKeyboard((input, key) => {
    const number = Number.parseInt(input, 10);
    if (key.escape) onCancel();
    else if (key.return && options.length > 0) onPick(current.current);
    else if (key.upArrow || input === 'k') move(current.current - 1);
    else if (key.downArrow || input === 'j') move(current.current + 1);
    else if (number >= 1 && number <= Math.min(9, options.length)) onPick(number - 1);
  });
  top.current = scrollTop(top.current, index, PICKER_ROWS, options.length);
  return (
    <Box flexDirection="column" width={width} height={pickerHeight(options)}>
      <PaneTitle title={title} detail="↑ ↓ Enter picks · Esc cancels" focused width={width} />
      {options.slice(top.current, top.current + PICKER_ROWS).map((option, offset) => {
        const position = top.current + offset;
        return (
          <Text key={option.label} wrap="truncate-end" inverse={position === index}>
            {position === index ? '›' : ' '}
            {position < 9 ? `${position + 1} ` : '  '}
            {option.label}
            <Text dimColor>{option.detail ? `  ${option.detail}` : ''}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
