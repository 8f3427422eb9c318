import type {ProjectPlugin} from './registry.js';

const MACHINE_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Lists what capsule.toml declares, not yet running, until the subsystem that runs those items describes them itself. */
export const declaredItems: ProjectPlugin = {
  load: async () => undefined,
  unload: async () => undefined,
  describe(config, summary) {
    summary.schedules = Object.entries(config.schedules).map(([name, schedule]) => ({
      name,
      task: schedule.task,
      cron: schedule.cron,
      timezone: typeof schedule.timezone === 'string' ? schedule.timezone : MACHINE_ZONE,
      source: 'config',
      enabled: schedule.enabled !== false,
      paused: false,
      overlap: 'skip',
      catchUp: 'latest',
      nextFireAt: null,
      lastFireAt: null,
      lastRun: null,
      skipped: 0,
    }));
    summary.services = Object.entries(config.services).map(([name, service]) => ({
      name,
      command: service.command,
      description: typeof service.description === 'string' ? service.description : null,
      state: 'stopped',
      health: null,
      pid: null,
      uptimeMs: null,
      restarts: 0,
      lastExit: null,
      cpuPercent: null,
      rssBytes: null,
      agent: false,
      actions: [],
    }));
  },
};
