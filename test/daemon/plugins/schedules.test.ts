import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {AuditLog} from '../../../daemon/core/audit-log.js';
import {EventBus} from '../../../daemon/core/event-bus.js';
import {EMPTY_STATE, type DaemonState} from '../../../daemon/core/state.js';
import {JsonStore} from '../../../daemon/core/store.js';
import type {RunPort} from '../../../daemon/plugins/ports.js';
import {SchedulesPlugin} from '../../../daemon/plugins/schedules.js';
import {fireRunId} from '../../../daemon/runner/submission.js';
import {parseProjectConfig, type ProjectConfig} from '../../../src/config/index.js';
import {CapsuleError} from '../../../src/lib/errors.js';
import type {AuditEvent, ProjectSummary, RunRecord, RunStatus} from '../../../src/protocol/index.js';

/** The runner as the plugin sees it, in memory: runs stay where a test puts them. */
class MemoryRunPort implements RunPort {
  readonly submitted: {namespace: string; task: string; input: unknown; options: unknown}[] = [];
  readonly statuses = new Map<string, RunStatus | null>();
  readonly tasks = new Map<string, string[]>();
  readonly declared = new Map<string, {task: string; option: unknown}[]>();
  readonly #listeners = new Set<(run: RunRecord) => void>();

  async submit(namespace: string, task: string, input: unknown, options?: {id?: string}): Promise<RunRecord> {
    const id = options?.id ?? `run_${this.submitted.length + 1}`;
    if (this.statuses.has(id)) throw new CapsuleError('conflict', `run ${id} already exists`);
    this.submitted.push({namespace, task, input, options});
    this.statuses.set(id, 'queued');
    return record(id, namespace, task, 'queued');
  }

  status(runId: string): RunStatus | null {
    return this.statuses.get(runId) ?? null;
  }

  onFinished(listener: (run: RunRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  requireTask(namespace: string, task: string): unknown {
    const names = this.tasks.get(namespace) ?? [];
    if (!names.includes(task)) throw new CapsuleError('not_found', `${namespace} has no task "${task}"`, {hint: `did you mean "${namespace}/${names[0]}"?`});
    return {};
  }

  declaredSchedules(namespace: string): {task: string; option: unknown}[] {
    return this.declared.get(namespace) ?? [];
  }

  finish(runId: string, namespace: string, task: string): void {
    this.statuses.set(runId, 'succeeded');
    for (const listener of this.#listeners) listener(record(runId, namespace, task, 'succeeded'));
  }
}

function record(id: string, namespace: string, task: string, status: RunStatus): RunRecord {
  const now = new Date().toISOString();
  return {id, namespace, task, status, input: {}, result: null, error: null, attempts: [], createdAt: now, startedAt: null, finishedAt: null, durationMs: null, cpuMs: null, peakMemoryMb: null, parentId: null, priority: 0, wakeAt: null, idempotencyKey: null, idempotencyExpiresAt: null};
}

let dir: string;
let runs: MemoryRunPort;
let bus: EventBus;
let published: {event: string; data: unknown}[];
const plugins: SchedulesPlugin[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sched-plugin-'));
  runs = new MemoryRunPort();
  runs.tasks.set('ops', ['noop', 'coded', 'named']);
  bus = new EventBus();
  published = [];
  bus.subscribe('schedule', (event, data) => published.push({event, data}));
});

afterEach(async () => {
  for (const plugin of plugins.splice(0)) await plugin.close();
  await rm(dir, {recursive: true, force: true});
});

/** A plugin over the state.json and audit file in `dir`, as one daemon lifetime would have. */
async function daemon(): Promise<{plugin: SchedulesPlugin; state: JsonStore<DaemonState>; audit: AuditLog}> {
  const state = await JsonStore.open<DaemonState>(join(dir, 'state.json'), EMPTY_STATE);
  const audit = await AuditLog.open(join(dir, 'audit.jsonl'), () => undefined);
  const plugin = new SchedulesPlugin(runs, state, bus, audit);
  plugins.push(plugin);
  await plugin.start();
  return {plugin, state, audit};
}

async function project(toml: string): Promise<ProjectConfig> {
  const file = join(dir, 'capsule.toml');
  const text = `[project]\nname = "ops"\n${toml}`;
  await writeFile(file, text);
  return parseProjectConfig(text, file);
}

const NIGHTLY = '[schedules.nightly]\ntask = "noop"\ncron = "0 3 * * *"\ntimezone = "Europe/Paris"\n';
const kinds = (events: AuditEvent[]) => events.map((event) => event.kind);

describe('SchedulesPlugin', () => {
  it('arms schedules from capsule.toml and from task({schedule}) alike, told apart only by source', async () => {
    const {plugin} = await daemon();
    runs.declared.set('ops', [
      {task: 'coded', option: {cron: '0 3 * * *', timezone: 'Europe/Paris'}},
      {task: 'named', option: {name: 'nightly_code', cron: '*/5 * * * *'}},
    ]);
    const config = await project(NIGHTLY);
    await plugin.load(config);

    const listed = plugin.list('ops');
    expect(listed.map((entry) => [entry.name, entry.task, entry.source])).toEqual([
      ['coded', 'coded', 'code'],
      ['nightly', 'noop', 'config'],
      ['nightly_code', 'named', 'code'],
    ]);
    const {name: _a, task: _b, source: _c, ...coded} = listed[0]!;
    const {name: _d, task: _e, source: _f, ...nightly} = listed[1]!;
    expect(coded).toEqual(nightly);
    expect(Date.parse(coded.nextFireAt!)).toBeGreaterThan(Date.now());

    const summary = {schedules: []} as unknown as ProjectSummary;
    plugin.describe(config, summary);
    expect(summary.schedules).toEqual(listed.map(({namespace: _namespace, ...rest}) => rest));
  });

  it('refuses a name declared in capsule.toml and in a task, and keeps what was armed', async () => {
    const {plugin} = await daemon();
    await plugin.load(await project(NIGHTLY));
    runs.declared.set('ops', [{task: 'coded', option: {name: 'nightly', cron: '* * * * *'}}]);
    await expect(plugin.load(await project(NIGHTLY))).rejects.toMatchObject({code: 'config_invalid', message: 'schedule "nightly" is declared twice: in capsule.toml and in task "coded"'});
    expect(plugin.list('ops').map((entry) => [entry.name, entry.cron, entry.source])).toEqual([['nightly', '0 3 * * *', 'config']]);
  });

  it('says which task has an invalid schedule option and why', async () => {
    const {plugin} = await daemon();
    runs.declared.set('ops', [{task: 'coded', option: {cron: '0 3 * * *', catchup: 'all'}}]);
    await expect(plugin.load(await project(''))).rejects.toMatchObject({code: 'config_invalid', message: 'task "coded" has an invalid schedule: schedule: unknown key "catchup" (did you mean "catchUp"?)'});
    runs.declared.set('ops', [{task: 'coded', option: '* * *'}]);
    await expect(plugin.load(await project(''))).rejects.toThrow(/task "coded" has an invalid schedule: schedule\.cron: invalid cron expression: expected 5 fields/);
    expect(plugin.list('ops')).toEqual([]);
  });

  it('refuses a capsule.toml schedule whose task the project does not declare, pointing at the line', async () => {
    const {plugin} = await daemon();
    const config = await project('[schedules.nightly]\ntask = "nop"\ncron = "0 3 * * *"\n');
    const error = await plugin.load(config).then(() => null, (thrown: unknown) => thrown as CapsuleError);
    expect(error).toMatchObject({code: 'config_invalid', hint: 'did you mean "ops/noop"?'});
    expect((error?.details as {issues: unknown[]}).issues).toEqual([{file: config.file, line: 4, column: 1, path: 'schedules.nightly.task', message: 'expected a task that ops declares, got "nop"', suggestion: null}]);
    expect(plugin.list('ops')).toEqual([]);
  });

  it('submits through the run port, follows the run to its end, and records fires and pauses in the audit trail', async () => {
    const {plugin, audit} = await daemon();
    await plugin.load(await project('[schedules.nightly]\ntask = "noop"\ncron = "0 3 * * *"\ninput = { id = 7 }\n'));
    const {runId} = await plugin.scheduler.trigger('ops', 'nightly');
    expect(runs.submitted).toEqual([{namespace: 'ops', task: 'noop', input: {id: 7}, options: undefined}]);
    expect(plugin.find('ops', 'nightly').lastRun).toEqual({id: runId, status: 'queued'});

    published.length = 0;
    runs.finish(runId, 'ops', 'noop');
    expect(published).toEqual([{event: 'schedule.updated', data: expect.objectContaining({namespace: 'ops', name: 'nightly', lastRun: {id: runId, status: 'succeeded'}})}]);
    // A run pruned from history is no longer shown.
    runs.statuses.delete(runId);
    expect(plugin.find('ops', 'nightly').lastRun).toBeNull();

    await plugin.scheduler.pause('ops', 'nightly');
    await plugin.scheduler.resume('ops', 'nightly');
    expect(kinds(audit.list({target: 'ops/nightly'}))).toEqual(['schedule.trigger', 'schedule.pause', 'schedule.resume']);
    expect(audit.list({target: 'ops/nightly'})[0]).toMatchObject({actor: 'capsule', details: {runId, catchUp: false}});
  });

  it('keeps a pause in state.json across daemons and unloads, and forgets it when the project is removed', async () => {
    const first = await daemon();
    const config = await project(NIGHTLY);
    await first.plugin.load(config);
    await first.plugin.scheduler.pause('ops', 'nightly');
    await first.plugin.close();
    expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')).schedules['ops/nightly']).toMatchObject({paused: true});

    const second = await daemon();
    await second.plugin.load(config);
    expect(second.plugin.find('ops', 'nightly')).toMatchObject({paused: true, nextFireAt: null});
    await second.plugin.unload('ops');
    expect(second.plugin.list('ops')).toEqual([]);
    await second.plugin.load(config);
    expect(second.plugin.find('ops', 'nightly').paused).toBe(true);

    await second.plugin.unload('ops');
    await second.plugin.forget('ops');
    expect(second.state.data.schedules).toEqual({});
    await second.plugin.load(config);
    expect(second.plugin.find('ops', 'nightly').paused).toBe(false);
  });

  it.each([
    ['made', true],
    ['not made', false],
  ])('submits a fire left pending by a killed daemon under its own run id, once (its run %s)', async (_, made) => {
    const fireTime = Date.parse('2025-01-01T03:00:00Z');
    const runId = fireRunId('ops/nightly', fireTime);
    const pending = {lastFireAt: fireTime, settledUntil: Date.now(), paused: false, skippedCount: 0, lastRunId: null, queuedFireAt: null, pendingFires: [fireTime]};
    await writeFile(join(dir, 'state.json'), JSON.stringify({...EMPTY_STATE, schedules: {'ops/nightly': pending}}));
    if (made) runs.statuses.set(runId, 'queued');
    const {plugin, audit} = await daemon();
    await plugin.load(await project(NIGHTLY));
    await plugin.scheduler.idle();
    expect(runs.submitted).toEqual(made ? [] : [{namespace: 'ops', task: 'noop', input: {}, options: {id: runId}}]);
    expect(audit.list({target: 'ops/nightly'}).map((event) => event.details)).toEqual([{fireTime, runId, catchUp: true, ...(made ? {recovered: true} : {})}]);
    expect(plugin.find('ops', 'nightly').lastRun).toEqual({id: runId, status: 'queued'});
  });
});
