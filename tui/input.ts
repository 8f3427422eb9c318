const ESC = '\u001B';
/** Bracketed paste: what the terminal sends around pasted text when asked to (mode 2004). */
export const PASTE_START = `${ESC}[200~`;
export const PASTE_END = `${ESC}[201~`;

/** One key (a character, or a whole escape sequence), or a bracketed paste's text. */
export type Piece = {kind: 'key'; text: string} | {kind: 'paste'; text: string};

/**
 * Turns Ink's inputs into keys. Ink hands over an escape sequence on its own, and a run of other
 * characters read at once (a paste, fast typing over SSH) as one input: that run is split into
 * its characters, while an escape sequence (an arrow key, `\x1b[A`) stays one key and the text
 * between the bracketed-paste markers stays one paste, however many inputs it came in.
 */
export class InputSplitter {
  /** The paste read so far, between its markers; null outside a paste. */
  private paste: string | null = null;

  push(raw: string): Piece[] {
    if (this.paste !== null) {
      const end = raw.indexOf(PASTE_END);
      if (end === -1) {
        this.paste += raw;
        return [];
      }
      const text = this.paste + raw.slice(0, end);
      this.paste = null;
      return [{kind: 'paste', text}, ...this.push(raw.slice(end + PASTE_END.length))];
    }
    if (raw.startsWith(PASTE_START)) {
      this.paste = '';
      return this.push(raw.slice(PASTE_START.length));
    }
    if (raw.startsWith(ESC)) return [{kind: 'key', text: raw}];
    return [...raw].map((char) => ({kind: 'key', text: char}));
  }
}
