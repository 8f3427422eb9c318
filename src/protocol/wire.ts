import type {ErrorPayload} from '../lib/errors.js';

/**
 * Bump on any incompatible change to a method, a record or an event. The `hello`
 * handshake refuses a client and a daemon whose versions differ.
 */
export const PROTOCOL_VERSION = 4;

/** One message may not exceed this many bytes on the socket; larger ones close the connection. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface Request<P = unknown> {
  id: number;
  method: string;
  params: P;
}

export type Reply<R = unknown> = {id: number; ok: true; result: R} | {id: number | null; ok: false; error: ErrorPayload};

/** A pushed event, sent to the connections subscribed to its topic. */
export interface EventMessage<E extends string = string, T = unknown> {
  event: E;
  data: T;
}

export function isReply(message: Reply | EventMessage): message is Reply {
  return 'ok' in message;
}

/** An event's topic is the part of its name before the first dot (`run.updated` → `run`). */
export function topicOf(event: string): string {
  const dot = event.indexOf('.');
  return dot === -1 ? event : event.slice(0, dot);
}
