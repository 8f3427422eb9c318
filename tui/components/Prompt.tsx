import {Box, Text} from 'ink';
import {useRef, useState} from 'react';
import {useKeyboard} from '../hooks/useKeyboard.js';
import {Tone} from '../theme.js';
import {PaneTitle} from './PaneTitle.js';

/** Lines a prompt takes: its title, the input and a message line. */
export const PROMPT_HEIGHT = 3;

export interface PromptProps {
  title: string;
  initial: string;
  /** Shown under the input, e.g. the daemon's validation error; the prompt stays open. */
  error: string | null;
  hint?: string;
  width: number;
  onSubmit(value: string): void;
  onCancel(): void;
  /** Every edit, for prompts that act as you type (the filter, the log search). */
  onChange?(value: string): void;
  /** Shows a bullet per character instead of the text, as a password prompt does. @default false */
  secret?: boolean;
}

const MASK = '•';

/** A one-line text input: typing and pasting append, Backspace deletes, Ctrl-U clears, Enter submits, Esc cancels. */
export function Prompt({title, initial, error, hint, width, onSubmit, onCancel, onChange, secret = false}: PromptProps) {
  const [value, setValue] = useState(initial);
  // Keys can arrive faster than renders; each edit must see the previous one.
  const current = useRef(initial);
  const update = (next: string) => {
    current.current = next;
    setValue(next);
    onChange?.(next);
  };
  useKeyboard((input, key) => {
    if (key.escape) onCancel();
    else if (key.return) onSubmit(current.current);
    else if (key.backspace || key.delete) update([...current.current].slice(0, -1).join(''));
    else if (key.ctrl && input === 'u') update('');
    else if (!key.ctrl && !key.meta && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow && !key.tab && input) update(current.current + input.replace(/[\r\n]+/g, ' '));
  }, {text: true});
  const room = Math.max(4, width - 3);
  const chars = secret ? [...value].map(() => MASK) : [...value];
  const shown = chars.length >= room ? `…${chars.slice(chars.length - room + 2).join('')}` : chars.join('');
  return (
    <Box flexDirection="column" width={width} height={PROMPT_HEIGHT}>
      <PaneTitle title={title} detail="Enter submits · Esc cancels · Ctrl-U clears" focused width={width} />
      <Text wrap="truncate-end">
        <Text bold>› </Text>
        {shown}
        <Text inverse> </Text>
      </Text>
      {error ? (
        <Text wrap="truncate-end">
          <Tone tone="red">✗ {error}</Tone>
          {hint ? <Text dimColor> — {hint}</Text> : null}
        </Text>
      ) : (
        <Text wrap="truncate-end" dimColor>
          {hint ?? ' '}
        </Text>
      )}
    </Box>
  );
}
