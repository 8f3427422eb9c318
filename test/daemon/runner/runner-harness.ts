import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {DEFAULT_BACKOFF} from '../../../daemon/runner/backoff.js';
import {Runner} from '../../../daemon/runner/runner.js';
import type {RunnerEvent, SharedLocks} from '../../../daemon/runner/runner-types.js';
import {RunStore, type RunRetention} from '../../../daemon/runner/run-store.js';
import type {TaskSpec} from '../../../daemon/runner/task-spec.js';
import {FakeClock} from '../core/fake-clock.js';
import {FakeExecutor} from './fake-executor.js';

export const ROOT = '/projects/reports';

/** A task spec with small limits, no retries and no jitter unless overridden. */
export function spec(name: string, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    name,
    modulePath: `${ROOT}/tasks/${name}.ts`,
    exportName: name,
    isolation: 'thread',
    limits: {computeMs: 5000, ramBytes: 64 * 1024 * 1024, timeoutMs: 10_000},
    maxRetries: 0,
    backoff: {...DEFAULT_BACKOFF, jitter: 0},
    env: {PATH: '/usr/bin'},
    concurrency: null,
    lock: null,
    lockMode: 'queue',
    sandbox: null,
    ...overrides,
  };
}

export interface Harness {
  dir: string;
  file: string;
  clock: FakeClock;
  executor: FakeExecutor;
  store: RunStore;
  runner: Runner;
  events: RunnerEvent[];
  errors: unknown[];
}

export interface HarnessOptions {
  tasks?: TaskSpec[];
  maxParallel?: number;
  maxQueued?: number;
  retention?: Partial<RunRetention>;
  /** Reuse the files (and clock) of an earlier harness: a daemon restarted on the same home. */
  after?: Harness;
  /** Do not call recover() (tests of recovery call it themselves). */
  skipRecover?: boolean;
  /** Lock keys across nodes, as a backend would hold them. */
  sharedLocks?: SharedLocks;
}

const live: Harness[] = [];
const dirs = new Set<string>();

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = options.after?.dir ?? (await mkdtemp(join(tmpdir(), 'capsule-runner-')));
  dirs.add(dir);
  const file = join(dir, 'runs.json');
  const clock = options.after?.clock ?? new FakeClock();
  const store = await RunStore.open({file, logsDir: join(dir, 'logs'), clock, retention: options.retention});
  const executor = new FakeExecutor();
  const errors: unknown[] = [];
  const runner = new Runner({executor, store, clock, maxParallel: options.maxParallel ?? 4, maxQueued: options.maxQueued, random: () => 0.5, sharedLocks: options.sharedLocks, onError: (error) => errors.push(error)});
  runner.setProjectTasks('reports', ROOT, options.tasks ?? [spec('build')]);
  const events: RunnerEvent[] = [];
  runner.on((event) => events.push(event));
  if (!options.skipRecover) await runner.recover();
  const harness = {dir, file, clock, executor, store, runner, events, errors};
  live.push(harness);
  return harness;
}

/** Closes a harness as a clean daemon stop would: running attempts are interrupted at once. */
export async function stopHarness(harness: Harness): Promise<void> {
  const index = live.indexOf(harness);
  if (index === -1) return;
  live.splice(index, 1);
  const closing = harness.runner.close(0);
  harness.clock.advance(0);
  await closing;
  await harness.store.close();
  await harness.executor.close();
}

/** For afterEach: stops every harness still open and removes their files. */
export async function stopAllHarnesses(): Promise<void> {
  for (const harness of [...live].reverse()) await stopHarness(harness);
  for (const dir of dirs) await rm(dir, {recursive: true, force: true});
  dirs.clear();
}
