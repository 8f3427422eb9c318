import type {PersistedProject} from '../projects/registry.js';

/** state.json: everything the daemon must remember across restarts, except run history (runs.json). */
export interface DaemonState {
  version: 1;
  projects: PersistedProject[];
}

export const EMPTY_STATE: DaemonState = {version: 1, projects: []};
