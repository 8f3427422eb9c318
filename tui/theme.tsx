import {createContext, useContext, type ReactNode} from 'react';
import {Text, type TextProps} from 'ink';
import type {StyleName} from '../src/render/style.js';

/** False under NO_COLOR (Ink's colour library ignores it): tones then fall back to plain text. */
export const ColorContext = createContext(true);

export function toneProps(tone: StyleName | null, color: boolean): TextProps {
  if (tone === null) return {};
  if (tone === 'bold') return {bold: true};
  if (tone === 'dim') return {dimColor: true};
  return color ? {color: tone} : {};
}

/** Text in one of the CLI's style names, so the TUI and `capsule list` share glyph colours. */
export function Tone({tone, children, ...rest}: {tone: StyleName | null; children?: ReactNode} & TextProps) {
  const color = useContext(ColorContext);
  return (
    <Text {...toneProps(tone, color)} {...rest}>
      {children}
    </Text>
  );
}
