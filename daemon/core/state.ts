import type {ConfigValue} from '../../src/config/services.js';
import type {PersistedProject} from '../projects/registry.js';
import type {SealedValue} from './secret-box.js';
import type {ScheduleState} from '../scheduler/types.js';
import type {PersistedProcess} from '../supervisor/index.js';

/** state.json: everything the daemon must remember across restarts, except run history (runs.json). */
export interface DaemonState {
  version: 1;
  projects: PersistedProject[];
  /** Per schedule "ns/name": last fire, pause, skip count (see daemon/scheduler/types.ts). */
  schedules: Record<string, ScheduleState>;
  services: {
    /** Running service processes, so a restarted daemon re-adopts them instead of starting copies. */
    processes: PersistedProcess[];
    /** `capsule config set` values per service "ns/name"; secret ones sealed (see secret-box.ts). */
    config: Record<string, Record<string, ConfigValue | SealedValue>>;
    /** Services "ns/name" an operator stopped: kept stopped until an operator starts them. Absent in a state.json written before it was kept. */
    stoppedByOperator?: string[];
    /**
     * `capsule scale` counts per service "ns/name", with the `instances` capsule.toml declared
     * then: a later edit of that declaration wins and drops the count. Absent before it was kept.
     */
    scaled?: Record<string, ScaledService>;
  };
}

export interface ScaledService {
  instances: number;
  declared: number;
}

export const EMPTY_STATE: DaemonState = {version: 1, projects: [], schedules: {}, services: {processes: [], config: {}, stoppedByOperator: []}};
