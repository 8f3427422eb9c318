import type {PersistedProject} from '../projects/registry.js';
import type {ScheduleState} from '../scheduler/types.js';

/** state.json: everything the daemon must remember across restarts, except run history (runs.json). */
export interface DaemonState {
  version: 1;
  projects: PersistedProject[];
  /** Per schedule "ns/name": last fire, pause, skip count (see daemon/scheduler/types.ts). */
  schedules: Record<string, ScheduleState>;
}

export const EMPTY_STATE: DaemonState = {version: 1, projects: [], schedules: {}};
