import type {AuditEvent, RunRecord, ScheduleSummary} from '../../src/protocol/index.js';
import {waitFor, type TestHome} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';

/** Tasks every schedule test project declares: one that returns at once, one that outlasts a per-second cron. */
export const TASKS = `import {task} from 'capsule';
export const noop = task({name: 'noop'}, async () => ({ok: true}));
export const slow = task({name: 'slow', maxRetries: 0}, async () => {
  await new Promise((resolve) => setTimeout(resolve, 2500));
  return {slow: true};
});
`;

/** How long to poll for something the daemon does within a second or two on an idle machine; shared machines are not idle. */
export const PATIENCE = {timeoutMs: 20_000, intervalMs: 200};

export type Listed = ScheduleSummary & {namespace: string};

/** A project named `name` with TASKS in tasks/t.ts (unless `files` replaces it) and `extra` appended to its capsule.toml. */
export function scheduleProject(name: string, extra: string, files: Record<string, string> = {}): Promise<string> {
  return makeProject({'capsule.toml': projectToml(name, extra), 'tasks/t.ts': TASKS, ...files});
}

export async function schedules(home: TestHome, namespace: string): Promise<Listed[]> {
  return (await home.json<{schedules: Listed[]}>(['schedules', namespace])).schedules;
}

export async function schedule(home: TestHome, key: string): Promise<Listed> {
  const [namespace, name] = key.split('/') as [string, string];
  const found = (await schedules(home, namespace)).find((entry) => entry.name === name);
  if (!found) throw new Error(`capsule schedules ${namespace} does not list ${key}`);
  return found;
}

/** Audit events for a target, oldest first. */
export async function audit(home: TestHome, target: string): Promise<AuditEvent[]> {
  return (await home.json<{events: AuditEvent[]}>(['audit', target, '-n', '5000'])).events;
}

export async function auditOf(home: TestHome, target: string, kind: string): Promise<AuditEvent[]> {
  return (await audit(home, target)).filter((event) => event.kind === kind);
}

/** Runs of one task, newest first. */
export async function runs(home: TestHome, taskKey: string): Promise<RunRecord[]> {
  return (await home.json<{runs: RunRecord[]}>(['runs', taskKey, '-n', '1000'])).runs;
}

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Waits until every run of the task has ended; returns them, newest first. */
export function settledRuns(home: TestHome, taskKey: string, timeoutMs = PATIENCE.timeoutMs): Promise<RunRecord[]> {
  return waitFor(
    async () => {
      const all = await runs(home, taskKey);
      return all.every((run) => FINAL.has(run.status)) ? all : null;
    },
    {timeoutMs, intervalMs: PATIENCE.intervalMs, what: `every run of ${taskKey} to end`},
  );
}

/**
 * Waits until `key` has fired `count` more times after `since` (an ISO time): a schedule used as
 * a clock, so a test can tell that time passed without sleeping a guessed amount.
 */
export function firesAfter(home: TestHome, key: string, since: string, count: number, timeoutMs = PATIENCE.timeoutMs): Promise<AuditEvent[]> {
  return waitFor(
    async () => {
      const fires = (await auditOf(home, key, 'schedule.fire')).filter((event) => event.time > since);
      return fires.length >= count ? fires : null;
    },
    {timeoutMs, intervalMs: PATIENCE.intervalMs, what: `${count} fires of ${key} after ${since}`},
  );
}

export const fireTimeOf = (event: AuditEvent): number => event.details.fireTime as number;
