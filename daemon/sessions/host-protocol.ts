/**
 * What the daemon and a session's host process (session-host.ts) say to each other, in frames
 * (sandbox/frames.ts) on the unix socket the host listens on. The host outlives a daemon that
 * crashes or restarts: the next daemon connects to the same socket and carries on.
 */
import type {ModuleSource, SentError} from '../worker/protocol.js';

/** The host's socket, from its environment. */
export const SESSION_SOCKET_ENV = 'CAPSULE_SESSION_SOCKET';
/** How long a host waits alone, with no daemon connected, before it exits (ms), from its environment. */
export const SESSION_ORPHAN_ENV = 'CAPSULE_SESSION_ORPHAN_MS';
export const DEFAULT_ORPHAN_MS = 15 * 60_000;

/** Output a host keeps for a daemon that is not connected: past it, the oldest lines go first. */
export const SESSION_OUTPUT_BUFFER_BYTES = 1024 * 1024;
/** Output one snippet may write: past it, the rest is dropped and the caller told once. */
export const SNIPPET_OUTPUT_BYTES = 1024 * 1024;
/** The longest `util.inspect` text of a value sent back. */
export const INSPECTED_CHARS = 64 * 1024;

/** The code of a snippet's error when SIGINT ended it (Node's, for a loop breakOnSigint stopped; the host's, for an await). */
export const INTERRUPTED_CODE = 'ERR_SCRIPT_EXECUTION_INTERRUPTED';

/** How a snippet ended: a value, or an error (the session lives on either way). */
export interface SnippetOutcome {
  durationMs: number;
  /** The last expression's value when JSON can carry it (absent: undefined, or not JSON). */
  json?: unknown;
  /** The value as `util.inspect` shows it (absent for undefined). */
  inspected?: string;
  /** Its stack as the host saw it: the daemon points it into the snippet's lines (snippet.ts). */
  error?: SentError;
}

export type OutputStream = 'stdout' | 'stderr';

export type DaemonMessage =
  /** The first message a warm host gets when it is given to a session: where it works and with what. */
  | {type: 'init'; cwd: string; env: Record<string, string>}
  | {type: 'execute'; id: string; script: string; filename: string}
  | {type: 'answer'; inputId: string; text: string}
  | {type: 'complete'; call: number; expression: string}
  | {type: 'module'; call: number; module: ModuleSource | null; error?: string}
  | {type: 'close'};

export type HostMessage =
  /** On every connection: who answers, and the snippet still running if one is. */
  | {type: 'hello'; pid: number; running: string | null}
  | {type: 'output'; id: string; stream: OutputStream; text: string}
  | {type: 'ask'; id: string; inputId: string; prompt: string}
  | {type: 'result'; id: string; outcome: SnippetOutcome}
  | {type: 'completions'; call: number; names: string[]}
  /** The loader hooks need a module's source (TypeScript is compiled by the daemon, as for tasks). */
  | {type: 'module'; call: number; url: string; format: string | null};
