import {z} from 'zod';
import {Instant, Text} from './common.js';

/** An append-only record of something that changed: who, when, what, to which target. */
export const AuditEvent = z.object({
  id: z.string(),
  time: Instant,
  /** The OS user of the client that asked, or "capsule" for the daemon's own decisions. */
  actor: z.string(),
  /** e.g. service.start, service.crash, service.create, service.delete, service.restart, service.health, config.set, action.run, schedule.fire, schedule.skip, project.reload */
  kind: z.string(),
  /** "ns/name", a run id or a namespace. */
  target: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.strictObject({target: Text.optional(), sinceMs: z.number().nonnegative().optional(), limit: z.number().int().positive().optional()});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const auditMethods = {
  'audit.list': {params: AuditQuery, result: z.object({events: z.array(AuditEvent)})},
};

/** Topic `audit`. */
export const auditEvents = {
  'audit.event': AuditEvent,
};
