/**
 * The error vocabulary shared by the daemon, the client and the commands. Each failure
 * has a stable `code` (sent over the wire and printed by `--json`) and a `hint` that says
 * how to fix it. Only the command layer turns these into text and exit codes.
 */
import type {z} from 'zod';
import type {ErrorPayload as ErrorPayloadSchema} from '../protocol/common.js';

export type ErrorCode =
  | 'bad_input' // the user gave something malformed: a flag, a file, a value
  | 'config_invalid' // capsule.toml failed to parse or validate
  | 'not_found' // a project, task, run, schedule or service that does not exist
  | 'conflict' // the request clashes with current state (duplicate namespace, already running)
  | 'failed' // the operation ran and failed (a run failed, an action exited non-zero)
  | 'daemon_unreachable' // no daemon answered on the socket
  | 'protocol_mismatch' // the daemon speaks another protocol version
  | 'message_too_large'
  | 'bad_request' // a malformed protocol message
  | 'internal';

/** Process exit status for each code: 0 ok, 1 failed, 2 bad usage or input, 3 daemon unreachable. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  bad_input: 2,
  config_invalid: 2,
  not_found: 2,
  conflict: 1,
  failed: 1,
  daemon_unreachable: 3,
  protocol_mismatch: 3,
  message_too_large: 2,
  bad_request: 2,
  internal: 1,
};

/** An error as it crosses the socket; its schema is the protocol's. */
export type ErrorPayload = z.infer<typeof ErrorPayloadSchema>;

export class CapsuleError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: {hint?: string; details?: unknown; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    this.name = 'CapsuleError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }

  toPayload(): ErrorPayload {
    const payload: ErrorPayload = {code: this.code, message: this.message};
    if (this.hint !== undefined) payload.hint = this.hint;
    if (this.details !== undefined) payload.details = this.details;
    return payload;
  }

  static fromPayload(payload: ErrorPayload): CapsuleError {
    return new CapsuleError(payload.code, payload.message, {hint: payload.hint, details: payload.details});
  }
}

export const badInput = (message: string, hint?: string) => new CapsuleError('bad_input', message, {hint});
export const notFound = (message: string, hint?: string) => new CapsuleError('not_found', message, {hint});
/**
 * A request that found nothing to do: its target is already where it asked to take it (a run
 * that already ended, a service already stopped). The request did not happen, so it is not a
 * success: exit 1, and the message says what the state already was.
 */
export const alreadyDone = (message: string, hint?: string) => new CapsuleError('conflict', message, {hint});

/** Wraps anything thrown into a CapsuleError, keeping a CapsuleError as it is. */
export function toCapsuleError(error: unknown): CapsuleError {
  if (error instanceof CapsuleError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CapsuleError('internal', message, {cause: error});
}
