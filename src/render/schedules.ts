import type {ScheduleSummary} from '../protocol/index.js';
import {RUN_GLYPHS, relativeTime} from './items.js';
import type {Paint} from './style.js';
import {renderTable} from './table.js';

export function renderScheduleTable(schedules: (ScheduleSummary & {namespace: string})[], options: {width: number; paint: Paint; now?: number}): string {
  if (schedules.length === 0) return 'no schedules';
  const now = options.now ?? Date.now();
  const rows = schedules.map((schedule) => [
    `${schedule.namespace}/${schedule.name}`,
    schedule.cron,
    schedule.timezone,
    schedule.paused ? 'paused' : !schedule.enabled ? 'disabled' : schedule.nextFireAt ? relativeTime(schedule.nextFireAt, now) : '-',
    schedule.lastFireAt ? relativeTime(schedule.lastFireAt, now) : '-',
    schedule.lastRun ? `${RUN_GLYPHS[schedule.lastRun.status][0]} ${schedule.lastRun.status}` : '-',
    String(schedule.skipped),
    schedule.task,
  ]);
  return renderTable(['SCHEDULE', 'CRON', 'ZONE', 'NEXT', 'LAST', 'LAST RUN', 'SKIPPED', 'TASK'], rows, options);
}
