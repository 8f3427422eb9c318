import type {ProjectSummary, ScheduleSummary, ServiceSummary, TaskSummary} from '../../src/protocol/index.js';

export const project = (overrides: Partial<ProjectSummary> = {}): ProjectSummary => ({
  namespace: 'reports',
  root: '/srv/reports',
  status: 'ok',
  error: null,
  version: '1.0.0',
  description: null,
  tasks: [],
  schedules: [],
  services: [],
  ...overrides,
});

export const task = (overrides: Partial<TaskSummary> = {}): TaskSummary => ({
  name: 'build_report',
  module: 'tasks/report.ts',
  isolation: 'thread',
  ramBytes: 512 * 1024 * 1024,
  timeoutMs: 120_000,
  computeMs: 30_000,
  maxRetries: 3,
  concurrency: null,
  lock: null,
  running: 0,
  queued: 0,
  lastRun: null,
  ...overrides,
});

export const schedule = (overrides: Partial<ScheduleSummary> = {}): ScheduleSummary => ({
  name: 'nightly',
  task: 'build_report',
  cron: '0 3 * * *',
  timezone: 'Europe/Paris',
  source: 'config',
  enabled: true,
  paused: false,
  overlap: 'skip',
  catchUp: 'latest',
  nextFireAt: null,
  lastFireAt: null,
  lastRun: null,
  skipped: 0,
  ...overrides,
});

export const service = (overrides: Partial<ServiceSummary> = {}): ServiceSummary => ({
  name: 'api',
  instance: 0,
  instances: 1,
  command: ['node', 'server.js'],
  description: null,
  state: 'healthy',
  health: 'healthy',
  pid: 4242,
  uptimeMs: 7_200_000,
  restarts: 1,
  lastExit: null,
  reason: null,
  cpuPercent: 1.25,
  rssBytes: 48 * 1024 * 1024,
  agent: false,
  actions: [],
  ...overrides,
});
