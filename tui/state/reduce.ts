import {isFinalRunStatus, type DaemonStatus, type ProjectSummary, type RunProgress, type RunRecord, type ScheduleSummary, type ServiceSummary, type ServerEvent, type SessionSummary} from '../../src/protocol/index.js';
import type {ClusterView, DashboardData} from './data.js';
import {MAX_BATCH_ITEMS, type Batch} from './event-batch.js';
import {appendEvents, applyTail, followRun, retarget, type LogTarget} from './log.js';
import {mergeLists, putProject, putSchedule, putService, removeProject} from './projects.js';
import {putProgress, putRun, trimRuns} from './runs.js';
import type {Snapshot} from './snapshot.js';

export type DataAction =
  | {type: 'snapshot'; snapshot: Snapshot}
  /** The connection changed: hold item updates until the next snapshot. */
  | {type: 'desync'}
  | {type: 'batch'; batch: Batch}
  | {type: 'status'; status: DaemonStatus}
  | {type: 'cluster'; cluster: ClusterView | null}
  /** Runs fetched for a detail pane or the board. */
  | {type: 'runs'; runs: RunRecord[]}
  | {type: 'logTarget'; target: LogTarget | null}
  | {type: 'logTail'; target: LogTarget; runId: string | null; lines: ServerEvent[]; error?: string};

export function reduce(data: DashboardData, action: DataAction): DashboardData {
  switch (action.type) {
    case 'snapshot':
      return applySnapshot(data, action.snapshot);
    case 'desync':
      return {...data, synced: false, held: []};
    case 'batch':
      return applyBatch(data, action.batch);
    case 'status':
      return {...data, status: action.status};
    case 'cluster':
      return {...data, cluster: action.cluster};
    case 'runs':
      return applyUpdates(data, action.runs.map((run) => ({event: 'run.updated', data: run})));
    case 'logTarget':
      return {...data, log: retarget(data.log, action.target)};
    case 'logTail':
      return {...data, log: applyTail(data.log, action.target, action.runId, action.lines, action.error ?? null)};
  }
}

function applySnapshot(data: DashboardData, snapshot: Snapshot): DashboardData {
  // Finished runs cannot change, so those fetched earlier (a task's history) stay; which
  // runs are active now is the snapshot's word.
  const runs = new Map<string, RunRecord>([...data.runs].filter(([, run]) => snapshot.runs === null || isFinalRunStatus(run.status)));
  for (const run of snapshot.runs ?? []) putRun(runs, run);
  trimRuns(runs);
  const progress = new Map([...data.progress].filter(([runId]) => runs.get(runId)?.status === 'running'));
  const fresh: DashboardData = {
    ...data,
    synced: true,
    held: [],
    needsResync: false,
    projects: mergeLists(snapshot.projects, snapshot.schedules, snapshot.services),
    runs,
    runsTracked: snapshot.runs !== null,
    progress,
    sessions: (snapshot.sessions ?? []).filter((session) => session.state !== 'closed'),
    status: snapshot.status ?? data.status,
    problems: snapshot.problems,
  };
  // Every change emits an event with the item's whole state, so replaying what arrived
  // since the subscription, in order, ends on each item's current state.
  return applyUpdates(fresh, data.held);
}

function applyBatch(data: DashboardData, batch: Batch): DashboardData {
  let next = batch.overflowed ? {...data, needsResync: true} : data;
  if (batch.updates.length > 0 && !next.synced) {
    const held = next.held.concat(batch.updates);
    next = held.length > MAX_BATCH_ITEMS ? {...next, held: [], needsResync: true} : {...next, held};
  } else {
    next = applyUpdates(next, batch.updates);
  }
  // Lines after updates: a new run of the followed task takes over the log before its first lines land.
  const log = appendEvents(next.log, batch.lines);
  // Lines of logs nobody looks at change nothing, and cost no render.
  return log === next.log ? next : {...next, log};
}

function applyUpdates(data: DashboardData, updates: ServerEvent[]): DashboardData {
  if (updates.length === 0) return data;
  let projects: ProjectSummary[] = data.projects;
  let runs: Map<string, RunRecord> | null = null;
  let progress: Map<string, RunProgress> | null = null;
  let sessions = data.sessions;
  let log = data.log;
  for (const {event, data: payload} of updates) {
    switch (event) {
      case 'project.updated':
        projects = putProject(projects, payload as ProjectSummary);
        break;
      case 'project.removed':
        projects = removeProject(projects, (payload as {root: string}).root);
        break;
      case 'schedule.updated':
        projects = putSchedule(projects, payload as ScheduleSummary & {namespace: string});
        break;
      case 'service.updated':
        projects = putService(projects, payload as ServiceSummary & {namespace: string});
        break;
      case 'run.updated': {
        runs ??= new Map(data.runs);
        const run = payload as RunRecord;
        const shown = log.runId === null ? undefined : runs.get(log.runId);
        if (!putRun(runs, run)) break;
        log = followRun(log, run, shown);
        if (isFinalRunStatus(run.status) && (progress ?? data.progress).has(run.id)) {
          progress ??= new Map(data.progress);
          progress.delete(run.id);
        }
        break;
      }
      case 'run.progress':
        progress ??= new Map(data.progress);
        putProgress(progress, runs ?? data.runs, payload as RunProgress);
        break;
      case 'session.updated':
        sessions = putSession(sessions, payload as SessionSummary);
        break;
    }
  }
  if (runs) trimRuns(runs);
  return {...data, projects, runs: runs ?? data.runs, progress: progress ?? data.progress, sessions, log};
}

/** A closed session leaves the list; any other takes its place in it, or joins its end. */
function putSession(sessions: SessionSummary[], session: SessionSummary): SessionSummary[] {
  const index = sessions.findIndex((known) => known.id === session.id);
  if (session.state === 'closed') return index === -1 ? sessions : sessions.filter((known) => known.id !== session.id);
  return index === -1 ? [...sessions, session] : sessions.with(index, session);
}
