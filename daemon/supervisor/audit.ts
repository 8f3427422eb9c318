import {userInfo} from 'node:os';
import {scrubValue} from './config-values.js';
import type {AuditEvent, AuditKind} from './types.js';

/** The OS user the daemon runs as: the actor of every event (only that user can reach its socket). */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

/** Builds an event with every string in `details` scrubbed of the given secret values. */
export function auditEvent(time: number, actor: string, kind: AuditKind, target: string, details: Record<string, unknown>, secrets: readonly string[]): AuditEvent {
  return {time: new Date(time).toISOString(), actor, kind, target, details: scrubValue(details, secrets) as Record<string, unknown>};
}
