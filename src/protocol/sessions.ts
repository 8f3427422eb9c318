/**
 * Code sessions: a persistent JavaScript/TypeScript namespace that snippets are executed in, one
 * after another (daemon/sessions). Topic `session` carries `session.updated`; a snippet's output
 * and its `input()` questions go to topic `session:<execution id>`, which `session.execute` with
 * `follow` subscribes the caller to before anything runs.
 */
import {z} from 'zod';
import {Instant, NoParams, Text} from './common.js';
import {LOG_STREAMS, SESSION_ISOLATIONS, SESSION_STATES, SNIPPET_ERROR_TYPES} from './vocabulary.js';

export const SessionSummary = z.object({
  id: z.string(),
  /** The project it was opened for (its directory, environment and sandbox policy); null: none. */
  project: z.string().nullable(),
  isolation: z.enum(SESSION_ISOLATIONS),
  state: z.enum(SESSION_STATES),
  pid: z.number().int().nullable(),
  createdAt: Instant,
  lastUsedAt: Instant,
  /** Snippets executed so far. */
  executions: z.number().int().nonnegative(),
  /** Times its process had to be replaced (killed past a limit, or crashed); its namespace started over each time. */
  replacements: z.number().int().nonnegative(),
  ramBytes: z.number().nullable(),
  /** CPU time one snippet may use; null: no limit. */
  cpuMs: z.number().nullable(),
  idleTimeoutMs: z.number(),
  maxAgeMs: z.number(),
  rssBytes: z.number().nullable(),
  /** Why it is lost or was closed: "idle for 15m", "closed by alice". */
  reason: z.string().nullable(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const SnippetFailure = z.object({
  type: z.enum(SNIPPET_ERROR_TYPES),
  name: z.string(),
  message: z.string(),
  /** Pointing into the snippet's own lines (`snippet-N.ts:LINE:COLUMN`). */
  stack: z.string().nullable(),
  /** A syntax error because the input ended too soon: a REPL reads another line. */
  incomplete: z.boolean().optional(),
});
export type SnippetFailure = z.infer<typeof SnippetFailure>;

export const ExecutionResult = z.object({
  session: z.string(),
  execution: z.string(),
  /** `snippet-N.ts`: what its stack frames are called. */
  filename: z.string(),
  durationMs: z.number(),
  /** The last expression's value, when JSON can carry it. */
  value: z.unknown().optional(),
  /** The value as `util.inspect` prints it; absent when it is undefined. */
  inspected: z.string().optional(),
  stdout: z.string(),
  stderr: z.string(),
  error: SnippetFailure.optional(),
  /** The session's process was killed to end the snippet (memory, a loop that ignored the interrupt): its namespace starts over. */
  replaced: z.boolean(),
});
export type ExecutionResult = z.infer<typeof ExecutionResult>;

export const SessionOutput = z.object({session: z.string(), execution: z.string(), stream: z.enum(LOG_STREAMS), text: z.string()});
export type SessionOutput = z.infer<typeof SessionOutput>;

/** `await input(prompt)` in a snippet: answer with `session.input`. */
export const SessionAsk = z.object({session: z.string(), execution: z.string(), inputId: z.string(), prompt: z.string()});
export type SessionAsk = z.infer<typeof SessionAsk>;

const Duration = z.union([z.string(), z.number()]);

export const sessionMethods = {
  'session.new': {
    params: z.strictObject({
      project: Text.optional(),
      isolation: z.enum(SESSION_ISOLATIONS).default('process'),
      /** "512MB": the heap cap and the resident size past which the process is replaced. */
      ram: z.union([z.string(), z.number()]).optional(),
      /** CPU time per snippet: "30s". */
      cpu: Duration.optional(),
      idleTimeout: Duration.optional(),
      maxAge: Duration.optional(),
    }),
    result: SessionSummary,
  },
  'session.list': {params: NoParams, result: z.object({sessions: z.array(SessionSummary)})},
  'session.close': {params: z.strictObject({id: Text}), result: SessionSummary},
  'session.execute': {
    params: z.strictObject({
      id: Text,
      code: z.string(),
      /** The caller's name for this execution (unique while it runs): it can listen for its events before asking. */
      execution: Text.optional(),
      follow: z.boolean().default(false),
      /** Wall-clock limit of the snippet, time waiting for `input()` excepted: "30s". */
      timeout: Duration.optional(),
    }),
    result: ExecutionResult,
  },
  'session.input': {params: z.strictObject({id: Text, inputId: Text, text: z.string()}), result: z.object({answered: z.boolean()})},
  'session.interrupt': {params: z.strictObject({id: Text}), result: z.object({interrupted: z.string().nullable()})},
  'session.complete': {params: z.strictObject({id: Text, expression: z.string()}), result: z.object({names: z.array(z.string())})},
};

export const sessionEvents = {
  'session.updated': SessionSummary,
  'session.output': SessionOutput,
  'session.ask': SessionAsk,
};
