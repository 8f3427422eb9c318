import {readFile} from 'node:fs/promises';
import {scheduleFromTask, type ScheduleConfig} from '../../src/config/schedules.js';
import type {ProjectConfig} from '../../src/config/index.js';
import {configInvalid, type ConfigIssue} from '../../src/config/issues.js';
import {TomlKeyIndex} from '../../src/config/locator.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {nearestName} from '../../src/lib/suggest.js';
import type {ScheduleSummary} from '../../src/protocol/index.js';
import type {AuditLog} from '../core/audit-log.js';
import type {EventBus} from '../core/event-bus.js';
import type {JsonStore} from '../core/store.js';
import type {DaemonState} from '../core/state.js';
import type {ProjectPlugin} from '../projects/registry.js';
import {systemClock} from '../core/clock.js';
import {fireRunId} from '../runner/submission.js';
import {Scheduler} from '../scheduler/scheduler.js';
import type {ScheduleEvent, ScheduleListing} from '../scheduler/types.js';
import type {RunPort} from './ports.js';

interface Declared {
  config: ScheduleConfig;
  source: 'config' | 'code';
}

/**
 * Wires the scheduler into the daemon: schedules from capsule.toml and from task({schedule})
 * are armed on project load, fires submit runs through the runner, state persists in
 * state.json, and every fire, skip, catch-up, pause and resume goes to the audit trail.
 */
export class SchedulesPlugin implements ProjectPlugin {
  readonly scheduler: Scheduler;
  private readonly declared = new Map<string, Map<string, Declared>>();
  private readonly stopFinished: () => void;

  constructor(
    private readonly runs: RunPort,
    state: JsonStore<DaemonState>,
    private readonly bus: EventBus,
    private readonly audit: AuditLog,
    /** With a backend: which node fires each schedule (SchedulerOptions.firesHere). */
    firesHere?: (scheduleKey: string) => Promise<boolean>,
  ) {
    this.scheduler = new Scheduler({
      clock: systemClock,
      firesHere,
      submit: async (namespace, task, input, meta) => {
        if (meta.manual) return {runId: (await runs.submit(namespace, task, input)).id, existed: false};
        const runId = fireRunId(meta.schedule, meta.fireTime);
        if (runs.status(runId) !== null) return {runId, existed: true};
        await runs.submit(namespace, task, input, {id: runId});
        return {runId, existed: false};
      },
      runStatus: (runId) => {
        const status = runs.status(runId);
        return status === 'queued' || status === 'running' ? status : 'done';
      },
      store: {
        load: () => state.data.schedules,
        save: async (key, value) => {
          state.data.schedules[key] = value;
          await state.save();
        },
        delete: async (key) => {
          delete state.data.schedules[key];
          await state.save();
        },
      },
      onEvent: (event) => this.onSchedulerEvent(event),
    });
    this.stopFinished = runs.onFinished((run) => {
      this.scheduler.runFinished(run.id);
      for (const listing of this.scheduler.list(run.namespace)) {
        if (listing.lastRunId === run.id) this.publish(listing);
      }
    });
  }

  start(): Promise<void> {
    return this.scheduler.start();
  }

  async load(project: ProjectConfig): Promise<void> {
    const namespace = project.project.name;
    await this.checkTasks(project);
    const declared = new Map<string, Declared>();
    for (const [name, config] of Object.entries(project.schedules)) declared.set(name, {config, source: 'config'});
    for (const {task, option} of this.runs.declaredSchedules(namespace)) {
      const {name, schedule} = scheduleFromTask(task, option);
      if (declared.has(name)) {
        throw new CapsuleError('config_invalid', `schedule "${name}" is declared twice: in capsule.toml and in task "${task}"`, {hint: 'remove one of them, or give the task\'s schedule another name: schedule: {name: "...", cron: "..."}'});
      }
      declared.set(name, {config: schedule, source: 'code'});
    }
    this.scheduler.setProjectSchedules(namespace, Object.fromEntries([...declared].map(([name, entry]) => [name, entry.config])));
    this.declared.set(namespace, declared);
  }

  async unload(namespace: string): Promise<void> {
    this.declared.delete(namespace);
    await this.scheduler.removeProject(namespace);
  }

  /** `project remove` forgets pause state and history; an unload (broken config) keeps them. */
  async forget(namespace: string): Promise<void> {
    await this.scheduler.removeProject(namespace, {forget: true});
  }

  describe(project: ProjectConfig, summary: {schedules: ScheduleSummary[]}): void {
    summary.schedules = this.scheduler.list(project.project.name).map((listing) => this.summarize(listing));
  }

  list(namespace?: string): (ScheduleSummary & {namespace: string})[] {
    return this.scheduler.list(namespace).map((listing) => ({...this.summarize(listing), namespace: listing.namespace}));
  }

  find(namespace: string, name: string): ScheduleSummary & {namespace: string} {
    const listings = this.scheduler.list(namespace);
    const listing = listings.find((entry) => entry.name === name);
    if (listing) return {...this.summarize(listing), namespace};
    const suggestion = nearestName(name, listings.map((entry) => entry.name));
    throw new CapsuleError('not_found', `${namespace} has no schedule named "${name}"`, {
      hint: suggestion ? `did you mean "${namespace}/${suggestion}"?` : `see \`capsule schedules ${namespace}\``,
    });
  }

  has(namespace: string, name: string): boolean {
    return this.scheduler.list(namespace).some((entry) => entry.name === name);
  }

  async close(): Promise<void> {
    this.stopFinished();
    await this.scheduler.close();
  }

  /**
   * A capsule.toml schedule must name a task the project declares: said once at load, with its
   * place in the file, rather than as an error at every fire.
   */
  private async checkTasks(project: ProjectConfig): Promise<void> {
    const unknown: {name: string; task: string; hint: string | undefined}[] = [];
    for (const [name, config] of Object.entries(project.schedules)) {
      try {
        this.runs.requireTask(project.project.name, config.task);
      } catch (error) {
        if (!(error instanceof CapsuleError) || error.code !== 'not_found') throw error;
        unknown.push({name, task: config.task, hint: error.hint});
      }
    }
    if (unknown.length === 0) return;
    const index = new TomlKeyIndex(await readFile(project.file, 'utf8').catch(() => ''));
    const issues = unknown.map(({name, task}): ConfigIssue => {
      const place = index.locate(['schedules', name, 'task']);
      return {file: project.file, line: place?.line ?? null, column: place?.column ?? null, path: `schedules.${name}.task`, message: `expected a task that ${project.project.name} declares, got ${JSON.stringify(task)}`, suggestion: null};
    });
    const invalid = configInvalid(project.file, issues);
    throw new CapsuleError('config_invalid', invalid.message, {hint: unknown[0]!.hint ?? invalid.hint, details: invalid.details});
  }

  private summarize(listing: ScheduleListing): ScheduleSummary {
    const declared = this.declared.get(listing.namespace)?.get(listing.name);
    const lastStatus = listing.lastRunId ? this.runs.status(listing.lastRunId) : null;
    return {
      name: listing.name,
      task: listing.task,
      cron: listing.cron,
      timezone: listing.timezone,
      source: declared?.source ?? 'config',
      enabled: listing.enabled,
      paused: listing.paused,
      overlap: declared?.config.overlap ?? 'skip',
      catchUp: declared?.config.catchUp ?? 'latest',
      nextFireAt: listing.nextFireAt === null ? null : new Date(listing.nextFireAt).toISOString(),
      lastFireAt: listing.lastFireAt === null ? null : new Date(listing.lastFireAt).toISOString(),
      lastRun: listing.lastRunId && lastStatus ? {id: listing.lastRunId, status: lastStatus} : null,
      skipped: listing.skipped,
    };
  }

  private publish(listing: ScheduleListing): void {
    this.bus.publish('schedule.updated', {...this.summarize(listing), namespace: listing.namespace});
  }

  private onSchedulerEvent(event: ScheduleEvent): void {
    if (event.type !== 'pass') this.audit.record({kind: `schedule.${event.type}`, target: event.schedule, details: event.details});
    const [namespace, name] = event.schedule.split('/') as [string, string];
    const listing = this.scheduler.list(namespace).find((entry) => entry.name === name);
    if (listing) this.publish(listing);
  }
}
