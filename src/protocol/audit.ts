/** An append-only record of something that changed: who, when, what, to which target. */
export interface AuditEvent {
  id: string;
  time: string;
  /** The OS user of the client that asked, or "capsule" for the daemon's own decisions. */
  actor: string;
  /** e.g. service.start, service.crash, service.restart, service.health, config.set, action.run, schedule.fire, schedule.skip, project.reload */
  kind: string;
  /** "ns/name", a run id or a namespace. */
  target: string;
  details: Record<string, unknown>;
}

export interface AuditMethods {
  'audit.list': {params: {target?: string; sinceMs?: number; limit?: number}; result: {events: AuditEvent[]}};
}

/** Topic `audit`. */
export interface AuditEvents {
  'audit.event': AuditEvent;
}
