import {useInput, type Key} from 'ink';
import {createContext, useCallback, useContext, useLayoutEffect, useMemo, useRef, type ReactNode, type RefObject} from 'react';

export type KeyHandler = (input: string, key: Key) => void;

interface Keyboard {
  push(handler: RefObject<KeyHandler>): () => void;
}

const KeyboardContext = createContext<Keyboard | null>(null);

/**
 * The one owner of keyboard input: each key goes to the handler mounted last (a prompt
 * over the main keys), and Ctrl-C always to `onInterrupt`. Handlers are registered
 * during the commit, so a key typed right after the one that opened a prompt reaches
 * that prompt, never the keys behind it.
 */
export function KeyboardProvider({onInterrupt, children}: {onInterrupt(): void; children: ReactNode}) {
  const stack = useRef<RefObject<KeyHandler>[]>([]);
  const interrupt = useRef(onInterrupt);
  useLayoutEffect(() => {
    interrupt.current = onInterrupt;
  });
  const onKey = useCallback((input: string, key: Key) => {
    if (key.ctrl && input === 'c') return interrupt.current();
    stack.current.at(-1)?.current(input, key);
  }, []);
  useInput(onKey);
  const keyboard = useMemo<Keyboard>(
    () => ({
      push(handler) {
        stack.current.push(handler);
        return () => {
          stack.current = stack.current.filter((entry) => entry !== handler);
        };
      },
    }),
    [],
  );
  return <KeyboardContext.Provider value={keyboard}>{children}</KeyboardContext.Provider>;
}

/** Receives the keys while this component is the most recently mounted one using it. */
export function useKeyboard(handler: KeyHandler): void {
  const keyboard = useContext(KeyboardContext);
  if (!keyboard) throw new Error('useKeyboard needs a KeyboardProvider above it');
  const current = useRef(handler);
  useLayoutEffect(() => {
    current.current = handler;
  });
  useLayoutEffect(() => keyboard.push(current), [keyboard]);
}
