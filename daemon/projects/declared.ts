import type {ProjectPlugin} from './registry.js';

/** Lists what capsule.toml declares until a subsystem that runs those items describes them itself. */
export const declaredItems: ProjectPlugin = {
  load: async () => undefined,
  unload: async () => undefined,
  describe(config, summary) {
    summary.schedules = Object.entries(config.schedules).map(([name, schedule]) => ({name, task: schedule.task, cron: schedule.cron, timezone: schedule.timezone ?? null}));
    summary.services = Object.entries(config.services).map(([name, service]) => ({name, command: service.command}));
  },
};
