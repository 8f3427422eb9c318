import type {ScheduleSummary, ServiceSummary, TaskSummary} from '../protocol/index.js';
import type {StyleName} from './style.js';

/** One tree/table line for a task, schedule or service: a status glyph, its tone and short facts. */
export interface ItemLine {
  label: string;
  glyph: string;
  tone: StyleName | null;
  facts: string[];
}

export function describeTask(task: TaskSummary): ItemLine {
  return {label: task.name, glyph: '○', tone: 'blue', facts: []};
}

export function describeSchedule(schedule: ScheduleSummary): ItemLine {
  return {label: schedule.name, glyph: '◷', tone: 'magenta', facts: [`${schedule.cron}${schedule.timezone ? ` ${schedule.timezone}` : ''}`, `→ ${schedule.task}`]};
}

export function describeService(service: ServiceSummary): ItemLine {
  const command = Array.isArray(service.command) ? service.command.join(' ') : service.command;
  return {label: service.name, glyph: '○', tone: 'gray', facts: [command]};
}
