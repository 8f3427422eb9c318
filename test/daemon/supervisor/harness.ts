/** Real-process test support: a temp dir, supervisors closed after each test, polling with deadlines. */
import {readFileSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {createServer} from 'node:net';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {serviceSchema, type ServiceConfig} from '../../../src/config/services.js';
import {parseProcStat, readProcStat} from '../../../daemon/supervisor/proc-stat.js';
import {Supervisor, type SupervisorOptions} from '../../../daemon/supervisor/supervisor.js';
import type {AuditEvent, ServiceSnapshot} from '../../../daemon/supervisor/types.js';
import {MemoryPersistence} from './memory-persistence.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/services/', import.meta.url));
export const NODE = process.execPath;

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** A normalised service from a capsule.toml-shaped table. */
export function service(table: Record<string, unknown>): ServiceConfig {
  return serviceSchema.parse(table);
}

/** Polls `check` until it returns something truthy; fails with `what` after the deadline. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number};
      server.close(() => resolve(port));
    });
  });
}

/** Alive and not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== null && stat.state !== 'Z';
}

export class Harness {
  readonly persistence = new MemoryPersistence();
  readonly events: AuditEvent[] = [];
  readonly states: ServiceSnapshot[] = [];
  private readonly supervisors: Supervisor[] = [];
  /** Every service pid reported, with its start time, so a reused pid is never mistaken for it. */
  private readonly seen = new Map<number, number>();

  private constructor(readonly dir: string) {}

  static async create(): Promise<Harness> {
    return new Harness(await mkdtemp(join(tmpdir(), 'capsule-supervisor-')));
  }

  get logsDir(): string {
    return join(this.dir, 'logs');
  }

  supervisor(options: Partial<SupervisorOptions> = {}): Supervisor {
    const supervisor = new Supervisor({
      logsDir: this.logsDir,
      persistence: this.persistence,
      sampleIntervalMs: 200,
      audit: (event) => this.events.push(event),
      onState: (snapshot) => {
        this.states.push(snapshot);
        if (snapshot.pid !== null && !this.seen.has(snapshot.pid)) {
          const startTime = startTimeOf(snapshot.pid);
          if (startTime !== null) this.seen.set(snapshot.pid, startTime);
        }
      },
      ...options,
    });
    this.supervisors.push(supervisor);
    return supervisor;
  }

  eventsOf(kind: AuditEvent['kind'], target?: string): AuditEvent[] {
    return this.events.filter((event) => event.kind === kind && (target === undefined || event.target === target));
  }

  logText(namespace: string, name: string, suffix = ''): Promise<string> {
    return readFile(join(this.logsDir, namespace, `${name}.log${suffix}`), 'utf8').catch(() => '');
  }

  /** Closes every supervisor, then checks that no process any of them reported is left alive. */
  async close(): Promise<void> {
    await Promise.all(this.supervisors.map((supervisor) => supervisor.close()));
    const survivors: number[] = [];
    for (const [pid, startTime] of this.seen) {
      const stat = await readProcStat(pid);
      if (stat && stat.state !== 'Z' && stat.startTime === startTime) {
        survivors.push(pid);
        process.kill(-pid, 'SIGKILL');
      }
    }
    await rm(this.dir, {recursive: true, force: true});
    if (survivors.length > 0) throw new Error(`processes left running after close(): ${survivors.join(', ')}`);
  }
}

function startTimeOf(pid: number): number | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.startTime ?? null;
  } catch {
    return null;
  }
}
