import type {DaemonStatus, NodeInfo, ProjectService, ProjectSummary, RunProgress, RunRecord, ServerEvent, SessionSummary} from '../../src/protocol/index.js';
import {EMPTY_LOG, type LogState} from './log.js';
import type {SnapshotProblem} from './snapshot.js';

/** Everything the dashboard knows about the daemon; replaced, never mutated, by the reducer. */
export interface DashboardData {
  /** A snapshot has been applied since the last (re)connection; until then item updates are held. */
  synced: boolean;
  /** Item updates received before the snapshot they must be applied on top of. */
  held: ServerEvent[];
  /** Updates were lost (a batch or the held list overflowed): reload the snapshot. */
  needsResync: boolean;
  projects: ProjectSummary[];
  runs: ReadonlyMap<string, RunRecord>;
  /** The daemon answered run.list, so every run not final is in `runs`. */
  runsTracked: boolean;
  progress: ReadonlyMap<string, RunProgress>;
  /** The daemon's code sessions that are not closed, in the order it lists them. */
  sessions: SessionSummary[];
  status: DaemonStatus | null;
  /** With a backend: the other nodes and their services, polled with the status; null alone (or not polled yet). */
  cluster: ClusterView | null;
  log: LogState;
  /** Lists the last snapshot could not load. */
  problems: SnapshotProblem[];
}

export interface ClusterView {
  /** Every node but this daemon, by name. */
  nodes: NodeInfo[];
  /** Their services, each naming its node. */
  services: ProjectService[];
}

export const EMPTY_DATA: DashboardData = {
  synced: false,
  held: [],
  needsResync: false,
  projects: [],
  runs: new Map(),
  runsTracked: false,
  progress: new Map(),
  sessions: [],
  status: null,
  cluster: null,
  log: EMPTY_LOG,
  problems: [],
};
