import {CapsuleError} from '../../../src/lib/errors.js';
import type {ConfigEntry, DaemonStatus, ProjectSummary, RunLogLine, RunRecord, ServiceLogLine, SessionSummary, StepRecord} from '../../../src/protocol/index.js';
import {project, schedule, service, task} from '../../render/fixtures.js';
import type {Handlers} from './fake-client.js';

/** What the fake daemon knows; tests change it, then emit the matching events. */
export interface World {
  projects: ProjectSummary[];
  runs: RunRecord[];
  runLogs: Record<string, RunLogLine[]>;
  serviceLogs: Record<string, ServiceLogLine[]>;
  config: Record<string, ConfigEntry[]>;
  /** Each run's durable steps, by run id. */
  steps: Record<string, StepRecord[]>;
  status: DaemonStatus;
  sessions: SessionSummary[];
}

export const T0 = Date.parse('2025-06-01T12:00:00Z');

export const run = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  id: 'run_0001',
  namespace: 'reports',
  task: 'build_report',
  status: 'succeeded',
  input: {id: 7},
  result: {ok: true},
  error: null,
  attempts: [{n: 1, startedAt: '2025-06-01T11:00:00.000Z', finishedAt: '2025-06-01T11:00:01.200Z', error: null}],
  createdAt: '2025-06-01T11:00:00.000Z',
  startedAt: '2025-06-01T11:00:00.000Z',
  finishedAt: '2025-06-01T11:00:01.200Z',
  durationMs: 1200,
  cpuMs: 40,
  peakMemoryMb: 30,
  parentId: null,
  priority: 0,
  wakeAt: null,
  idempotencyKey: null,
  idempotencyExpiresAt: null,
  ...overrides,
});

export const step = (overrides: Partial<StepRecord> = {}): StepRecord => ({
  runId: 'run_w1',
  key: 'fetch#1',
  name: 'fetch',
  kind: 'step',
  status: 'succeeded',
  attempt: 1,
  tries: 1,
  startedAt: '2025-06-01T11:59:00.000Z',
  finishedAt: '2025-06-01T11:59:00.250Z',
  durationMs: 250,
  resultBytes: 2048,
  error: null,
  until: null,
  signal: null,
  prompt: null,
  ...overrides,
});

export const session = (overrides: Partial<SessionSummary> = {}): SessionSummary => ({
  id: 'ses_0a1b2c3d4e',
  project: 'reports',
  isolation: 'process',
  state: 'idle',
  pid: 5151,
  createdAt: '2025-06-01T11:00:00.000Z',
  lastUsedAt: '2025-06-01T11:58:00.000Z',
  executions: 12,
  replacements: 0,
  ramBytes: 512 * 1024 * 1024,
  cpuMs: null,
  idleTimeoutMs: 900_000,
  maxAgeMs: 86_400_000,
  rssBytes: 56 * 1024 * 1024,
  reason: null,
  ...overrides,
});

export const entry = (overrides: Partial<ConfigEntry> = {}): ConfigEntry => ({
  key: 'LOG_LEVEL',
  type: 'string',
  value: 'info',
  default: 'info',
  description: 'how chatty the service is',
  secret: false,
  overridden: false,
  ...overrides,
});

export function makeWorld(overrides: Partial<World> = {}): World {
  return {
    projects: [
      project({
        tasks: [task(), task({name: 'cleanup', module: 'tasks/cleanup.ts'})],
        schedules: [schedule({nextFireAt: '2025-06-02T01:00:00.000Z'})],
        services: [service(), service({name: 'worker', state: 'stopped', health: null, pid: null, uptimeMs: null, restarts: 0, cpuPercent: null, rssBytes: null, actions: [{name: 'flush', description: 'drop the queue'}, {name: 'rotate-keys', description: null}]})],
      }),
      project({namespace: 'billing', root: '/srv/billing', tasks: [task({name: 'invoice', module: 'tasks/invoice.ts'})]}),
    ],
    runs: [
      run(),
      run({
        id: 'run_0002',
        status: 'failed',
        createdAt: '2025-06-01T11:30:00.000Z',
        durationMs: 30_000,
        error: {type: 'timeout', message: 'timed out after 30s', stack: null},
        attempts: [1, 2, 3].map((n) => ({n, startedAt: '2025-06-01T11:30:00.000Z', finishedAt: '2025-06-01T11:30:10.000Z', error: {type: 'timeout' as const, message: 'timed out', stack: null}})),
      }),
    ],
    runLogs: {run_0002: [{runId: 'run_0002', seq: 1, attempt: 3, time: '2025-06-01T11:30:05.000Z', level: 'warn', message: 'slow query'}]},
    serviceLogs: {'reports/api': [{namespace: 'reports', name: 'api', seq: 1, time: '2025-06-01T11:59:00.000Z', stream: 'stdout', line: 'listening on :8080'}]},
    steps: {},
    config: {'reports/api': [entry(), entry({key: 'API_TOKEN', value: 'hunter2', default: null, secret: true, overridden: true, description: null})]},
    status: {pid: 4242, version: '0.1.0', protocol: 3, startedAt: '2025-06-01T10:00:00.000Z', uptimeMs: 7_200_000, rssBytes: 50 * 1024 * 1024, heapUsedBytes: 10, socket: '/tmp/s', home: '/tmp/h', projectCount: 2, nodeVersion: 'v20'},
    sessions: [],
    ...overrides,
  };
}

const notFound = (what: string) => new CapsuleError('not_found', `no ${what}`);

/** A fake daemon answering from `world`, like the real handlers would. */
export function handlersFor(world: World): Handlers {
  const services = () => world.projects.flatMap((known) => known.services.map((item) => ({...item, namespace: known.namespace})));
  const findService = (namespace: string, name?: string) => {
    const found = world.projects.find((known) => known.namespace === namespace)?.services.find((item) => item.name === name);
    if (!found) throw notFound(`service ${namespace}/${name}`);
    return found;
  };
  return {
    'project.list': () => ({projects: world.projects}),
    'daemon.status': () => world.status,
    'run.list': (params) => ({
      runs: world.runs
        .filter((item) => (!params.namespace || item.namespace === params.namespace) && (!params.task || item.task === params.task) && (!params.status || item.status === params.status))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, params.limit ?? 20),
    }),
    'schedule.list': () => ({schedules: world.projects.flatMap((known) => known.schedules.map((item) => ({...item, namespace: known.namespace})))}),
    'service.list': () => ({services: services()}),
    'session.list': () => ({sessions: world.sessions}),
    'run.steps': ({id}) => ({steps: world.steps[id] ?? []}),
    'run.logs': (params) => {
      const runId = params.id ?? world.runs.filter((item) => item.namespace === params.namespace && item.task === params.task).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]?.id ?? null;
      return {runId, lines: runId ? (world.runLogs[runId] ?? []) : []};
    },
    'service.logs': (params) => ({lines: world.serviceLogs[`${params.namespace}/${params.name}`] ?? [], readUpTo: []}),
    'schedule.next': () => ({timezone: 'Europe/Paris', fires: ['2025-06-02T01:00:00.000Z', '2025-06-03T01:00:00.000Z', '2025-06-04T01:00:00.000Z']}),
    'service.config.list': (params) => ({entries: world.config[`${params.namespace}/${params.name}`] ?? []}),
    'service.restart': (params) => {
      const found = findService(params.namespace, params.name);
      found.restarts++;
      found.pid = (found.pid ?? 1000) + 1;
      return {services: [{...found, namespace: params.namespace}]};
    },
  };
}
