import {scrubValue} from './config-values.js';
import type {AuditEvent, AuditKind} from './types.js';

/** Builds an event with every string in `details` scrubbed of the given secret values. */
export function auditEvent(time: number, actor: string, kind: AuditKind, target: string, details: Record<string, unknown>, secrets: readonly string[]): AuditEvent {
  return {time: new Date(time).toISOString(), actor, kind, target, details: scrubValue(details, secrets) as Record<string, unknown>};
}
