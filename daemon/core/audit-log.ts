import {appendFile, readFile, rename, stat} from 'node:fs/promises';
import {userInfo} from 'node:os';
import {randomUUID} from 'node:crypto';
import type {AuditEvent} from '../../src/protocol/index.js';
import {PRIVATE_FILE_MODE} from './private-file.js';

/** The audit file rotates at this size; one previous generation is kept, so at most twice this is on disk. */
export const AUDIT_MAX_BYTES = 10 * 1024 * 1024;
/** Events kept in memory for `capsule audit` and the dashboard; older ones are read from disk. */
export const AUDIT_MEMORY_EVENTS = 5_000;

export type AuditInput = Omit<AuditEvent, 'id' | 'time' | 'actor'> & {actor?: string};

/**
 * Append-only audit trail (JSON lines). Appends are serialised through one promise chain
 * so lines never interleave; `record` returns at once and the write follows.
 */
export class AuditLog {
  private readonly recent: AuditEvent[] = [];
  private writes: Promise<void> = Promise.resolve();
  private size = 0;

  private constructor(
    private readonly file: string,
    private readonly onEvent: (event: AuditEvent) => void,
    private readonly now: () => number,
  ) {}

  static async open(file: string, onEvent: (event: AuditEvent) => void, now: () => number = Date.now): Promise<AuditLog> {
    const log = new AuditLog(file, onEvent, now);
    log.size = await stat(file).then((info) => info.size, () => 0);
    log.recent.push(...(await readEvents(file)).slice(-AUDIT_MEMORY_EVENTS));
    return log;
  }

  record(input: AuditInput): AuditEvent {
    const event: AuditEvent = {id: randomUUID(), time: new Date(this.now()).toISOString(), actor: input.actor ?? DAEMON_ACTOR, kind: input.kind, target: input.target, details: input.details};
    this.recent.push(event);
    if (this.recent.length > AUDIT_MEMORY_EVENTS) this.recent.splice(0, this.recent.length - AUDIT_MEMORY_EVENTS);
    const line = `${JSON.stringify(event)}\n`;
    this.writes = this.writes.then(() => this.append(line)).catch(() => undefined);
    this.onEvent(event);
    return event;
  }

  /** Newest last. `target` matches exactly or as a prefix namespace ("reports" matches "reports/api"). */
  list({target, sinceMs, limit = 200}: {target?: string; sinceMs?: number; limit?: number}): AuditEvent[] {
    const since = sinceMs === undefined ? -Infinity : this.now() - sinceMs;
    const matches = this.recent.filter((event) => Date.parse(event.time) >= since && (target === undefined || event.target === target || event.target.startsWith(`${target}/`) || event.target.startsWith(`${target}#`)));
    return matches.slice(-Math.max(1, Math.min(limit, AUDIT_MEMORY_EVENTS)));
  }

  flush(): Promise<void> {
    return this.writes;
  }

  private async append(line: string): Promise<void> {
    if (this.size + line.length > AUDIT_MAX_BYTES) {
      await rename(this.file, `${this.file}.1`).catch(() => undefined);
      this.size = 0;
    }
    await appendFile(this.file, line, {mode: PRIVATE_FILE_MODE});
    this.size += Buffer.byteLength(line);
  }
}

/** Who did it: the daemon, for its own decisions (an operator's request records who asked: see the router's connectionActor). */
export const DAEMON_ACTOR = 'capsule';

/** The OS user the daemon runs as. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

async function readEvents(file: string): Promise<AuditEvent[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const events: AuditEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      events.push(JSON.parse(line) as AuditEvent);
    } catch {
      // a torn last line from a crash: skip it
    }
  }
  return events;
}
