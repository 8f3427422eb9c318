import {useInput, useStdin, type Key} from 'ink';
import {createContext, useCallback, useContext, useLayoutEffect, useMemo, useRef, useState, type ReactNode, type RefObject} from 'react';
import {InputSplitter, type Piece} from '../input.js';

export type KeyHandler = (input: string, key: Key) => void;

interface Listener {
  handler: RefObject<KeyHandler>;
  /** Takes a run of typed characters as one input (a text field): they cannot change who listens. */
  text: boolean;
}

interface Keyboard {
  push(listener: Listener): () => void;
}

const KeyboardContext = createContext<Keyboard | null>(null);

/** What a paste is handed over with: text, no key. */
const PASTE_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * The one owner of keyboard input. Ink hands over what one read of the terminal held as one
 * input: `/web⏎` pasted or typed fast over SSH arrives whole. Here it becomes keys (an escape
 * sequence such as an arrow stays one key, a bracketed paste stays one text), and each key goes
 * to the handler mounted last (a prompt over the main keys) only once React has committed what
 * the key before it did: so after `/` opens the filter, `web⏎` reaches the filter. A text field
 * gets a run of typed characters at once, so a long paste costs one render, not one per key.
 * Ctrl-C always goes to `onInterrupt`, at once.
 */
export function KeyboardProvider({onInterrupt, children}: {onInterrupt(): void; children: ReactNode}) {
  const stack = useRef<Listener[]>([]);
  const interrupt = useRef(onInterrupt);
  useLayoutEffect(() => {
    interrupt.current = onInterrupt;
  });

  const {internal_eventEmitter: events} = useStdin();
  const splitter = useRef(new InputSplitter());
  /** What the raw listener made of the input Ink is about to parse for useInput. */
  const verdict = useRef<Piece[] | null>(null);
  const queue = useRef<{input: string; key: Key}[]>([]);
  /** A key was handed over and React has not committed what it did yet. */
  const waiting = useRef(false);
  const [, setCommits] = useState(0);

  const dispatch = useCallback(() => {
    const next = queue.current.shift();
    if (!next) return;
    const listener = stack.current.at(-1);
    let input = next.input;
    // A text field gets the characters typed after this one with it: one render for a whole run.
    if (listener?.text && isTyped(next)) {
      while (queue.current.length > 0 && isTyped(queue.current[0]!)) input += queue.current.shift()!.input;
    }
    listener?.handler.current(input, next.key);
    // A commit is asked for even when the key changed nothing, so the next key never waits forever.
    waiting.current = true;
    setCommits((count) => count + 1);
  }, []);
  const enqueue = useCallback(
    (input: string, key: Key) => {
      if (key.ctrl && input === 'c') return interrupt.current();
      queue.current.push({input, key});
      if (!waiting.current) dispatch();
    },
    [dispatch],
  );

  // Runs after the commit of the last handed-over key (children's layout effects, which push a
  // newly mounted prompt's handler, have run by then). The next key goes in a later task: from
  // here, its updates would count as nested ones, which React caps.
  useLayoutEffect(() => {
    if (!waiting.current) return;
    const next = setImmediate(() => {
      waiting.current = false;
      dispatch();
    });
    return () => clearImmediate(next);
  });

  // Ink emits each input to its listeners in the order they were added; this one is added in a
  // layout effect, before useInput's (a passive effect), so it sees each raw input first.
  useLayoutEffect(() => {
    const onRaw = (raw: string) => {
      const pieces = splitter.current.push(raw);
      if (pieces.length === 1 && pieces[0]!.kind === 'key' && pieces[0]!.text === raw) {
        verdict.current = null;
        return;
      }
      // Ink parses the whole input next: that parse is dropped, each key piece given its own.
      for (const piece of pieces) {
        if (piece.kind === 'paste') enqueue(piece.text, PASTE_KEY);
        else events.emit('input', piece.text);
      }
      // Set after the pieces: each re-emitted one went through here and cleared it.
      verdict.current = pieces;
    };
    events.on('input', onRaw);
    return () => {
      events.off('input', onRaw);
    };
  }, [events, enqueue]);

  const onKey = useCallback(
    (input: string, key: Key) => {
      if (verdict.current !== null) {
        verdict.current = null;
        return;
      }
      enqueue(input, key);
    },
    [enqueue],
  );
  useInput(onKey);

  const keyboard = useMemo<Keyboard>(
    () => ({
      push(listener) {
        stack.current.push(listener);
        return () => {
          stack.current = stack.current.filter((entry) => entry !== listener);
        };
      },
    }),
    [],
  );
  return <KeyboardContext.Provider value={keyboard}>{children}</KeyboardContext.Provider>;
}

/** A printable character as typed: no key of its own (Enter, an arrow, Backspace…), no modifier, not a paste. */
function isTyped({input, key}: {input: string; key: Key}): boolean {
  return (
    [...input].length === 1 &&
    !(key.ctrl || key.meta || key.return || key.escape || key.tab || key.backspace || key.delete || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end) &&
    input >= ' '
  );
}

/**
 * Receives the keys while this component is the most recently mounted one using it. With
 * `text`, characters typed in a row may come as one input, as a paste does.
 */
export function useKeyboard(handler: KeyHandler, {text = false}: {text?: boolean} = {}): void {
  const keyboard = useContext(KeyboardContext);
  if (!keyboard) throw new Error('useKeyboard needs a KeyboardProvider above it');
  const current = useRef(handler);
  useLayoutEffect(() => {
    current.current = handler;
  });
  useLayoutEffect(() => keyboard.push({handler: current, text}), [keyboard, text]);
}
