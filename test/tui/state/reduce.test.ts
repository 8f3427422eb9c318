import {describe, expect, it} from 'vitest';
import {EMPTY_DATA, type DashboardData} from '../../../tui/state/data.js';
import type {Batch} from '../../../tui/state/event-batch.js';
import {reduce} from '../../../tui/state/reduce.js';
import {MAX_TRACKED_RUNS, taskActivity} from '../../../tui/state/runs.js';
import type {Snapshot} from '../../../tui/state/snapshot.js';
import {project, service, task} from '../../render/fixtures.js';
import {run} from '../helpers/world.js';

const snapshot = (overrides: Partial<Snapshot> = {}): Snapshot => ({
  projects: [project({tasks: [task()], services: [service({state: 'starting'})]})],
  runs: [],
  schedules: null,
  services: null,
  sessions: null,
  status: null,
  problems: [],
  ...overrides,
});
const batch = (updates: Batch['updates'], lines: Batch['lines'] = []): Batch => ({updates, lines, overflowed: false});

describe('reduce', () => {
  it('holds updates until the snapshot, then replays them on top of it in order', () => {
    let data = reduce(EMPTY_DATA, {type: 'batch', batch: batch([{event: 'service.updated', data: {...service({state: 'running'}), namespace: 'reports'}}])});
    expect(data.projects).toEqual([]);
    expect(data.held).toHaveLength(1);
    data = reduce(data, {type: 'snapshot', snapshot: snapshot()});
    expect(data.synced).toBe(true);
    expect(data.held).toEqual([]);
    expect(data.projects[0]!.services[0]!.state).toBe('running');
  });

  it('never moves a run back to an earlier stage of its lifecycle', () => {
    let data: DashboardData = reduce(EMPTY_DATA, {type: 'snapshot', snapshot: snapshot()});
    const attempt = {n: 1, startedAt: '2025-06-01T11:00:00.000Z', finishedAt: null, error: null};
    data = reduce(data, {type: 'batch', batch: batch([{event: 'run.updated', data: run({id: 'r', status: 'succeeded'})}])});
    data = reduce(data, {type: 'runs', runs: [run({id: 'r', status: 'running', attempts: [attempt]})]});
    expect(data.runs.get('r')!.status).toBe('succeeded');

    // A retry goes running → queued with the first attempt closed: that is progress, not a step back.
    data = reduce(data, {type: 'runs', runs: [run({id: 'x', status: 'running', attempts: [attempt]})]});
    data = reduce(data, {type: 'runs', runs: [run({id: 'x', status: 'queued', attempts: [{...attempt, finishedAt: '2025-06-01T11:00:01.000Z'}]})]});
    expect(data.runs.get('x')!.status).toBe('queued');
    data = reduce(data, {type: 'runs', runs: [run({id: 'x', status: 'running', attempts: [attempt]})]});
    expect(data.runs.get('x')!.status).toBe('queued');
  });

  it('keeps finished runs across snapshots and takes the active ones from the latest', () => {
    let data = reduce(EMPTY_DATA, {type: 'snapshot', snapshot: snapshot({runs: [run({id: 'done'}), run({id: 'was_running', status: 'running'})]})});
    data = reduce(data, {type: 'snapshot', snapshot: snapshot({runs: [run({id: 'new', status: 'queued'})]})});
    expect([...data.runs.keys()].sort()).toEqual(['done', 'new']);
  });

  it('counts running and queued runs per task from the tracked runs', () => {
    const data = reduce(EMPTY_DATA, {
      type: 'snapshot',
      snapshot: snapshot({runs: [run({id: 'a', status: 'running'}), run({id: 'b', status: 'queued'}), run({id: 'c', status: 'queued'}), run({id: 'd', task: 'other', status: 'running'})]}),
    });
    const activity = taskActivity(data.runs);
    expect(activity.get('reports/build_report')).toMatchObject({running: 1, queued: 2});
    expect(activity.get('reports/other')).toMatchObject({running: 1, queued: 0});
  });

  it('forgets the oldest finished runs first past MAX_TRACKED_RUNS', () => {
    const runs = Array.from({length: MAX_TRACKED_RUNS + 10}, (_, index) => run({id: `run_${index}`, createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, index)).toISOString()}));
    runs[0] = run({id: 'old_but_running', status: 'running', createdAt: '2024-01-01T00:00:00.000Z'});
    const data = reduce(EMPTY_DATA, {type: 'snapshot', snapshot: snapshot({runs})});
    expect(data.runs.size).toBeLessThanOrEqual(MAX_TRACKED_RUNS);
    expect(data.runs.has('old_but_running')).toBe(true);
    expect(data.runs.has(`run_${MAX_TRACKED_RUNS + 9}`)).toBe(true);
    expect(data.runs.has('run_1')).toBe(false);
  });

  it('drops progress once a run ends', () => {
    let data = reduce(EMPTY_DATA, {type: 'snapshot', snapshot: snapshot({runs: [run({id: 'r', status: 'running'})]})});
    data = reduce(data, {type: 'batch', batch: batch([{event: 'run.progress', data: {runId: 'r', current: 3, total: 10, message: null}}])});
    expect(data.progress.get('r')).toMatchObject({current: 3});
    data = reduce(data, {type: 'batch', batch: batch([{event: 'run.updated', data: run({id: 'r', status: 'succeeded'})}])});
    expect(data.progress.has('r')).toBe(false);
  });

  it('a task\'s log switches to a newer run of the task and keeps only the target\'s lines', () => {
    let data = reduce(EMPTY_DATA, {type: 'snapshot', snapshot: snapshot({runs: [run({id: 'old'})]})});
    const target = {kind: 'task' as const, namespace: 'reports', task: 'build_report'};
    data = reduce(data, {type: 'logTarget', target});
    data = reduce(data, {type: 'logTail', target, runId: 'old', lines: [{event: 'run.log', data: {runId: 'old', seq: 1, attempt: 1, time: '2025-06-01T11:00:00.000Z', level: 'log', message: 'old line'}}]});
    expect(data.log.lines.map((line) => line.text)).toEqual(['old line']);
    data = reduce(data, {
      type: 'batch',
      batch: batch(
        [{event: 'run.updated', data: run({id: 'new', status: 'running', createdAt: '2025-06-01T12:00:00.000Z'})}],
        [
          {event: 'run.log', data: {runId: 'new', seq: 1, attempt: 1, time: '2025-06-01T12:00:01.000Z', level: 'error', message: 'new line'}},
          {event: 'run.log', data: {runId: 'elsewhere', seq: 1, attempt: 1, time: '2025-06-01T12:00:01.000Z', level: 'log', message: 'not ours'}},
        ],
      ),
    });
    expect(data.log.runId).toBe('new');
    expect(data.log.lines.map((line) => [line.text, line.tone])).toEqual([['new line', 'error']]);
  });

  it('returns the same data for lines of logs nobody looks at, so they cost no render', () => {
    const data = reduce(reduce(EMPTY_DATA, {type: 'snapshot', snapshot: snapshot()}), {type: 'logTarget', target: {kind: 'service', namespace: 'reports', name: 'api'}});
    const other = {event: 'service.log' as const, data: {namespace: 'reports', name: 'worker', seq: 5, time: '2025-06-01T12:00:00.000Z', stream: 'stdout' as const, line: 'elsewhere'}};
    expect(reduce(data, {type: 'batch', batch: batch([], [other])})).toBe(data);
  });

  it('merges a fetched tail with the live lines that arrived meanwhile, without duplicates', () => {
    const target = {kind: 'service' as const, namespace: 'reports', name: 'api'};
    const line = (text: string) => ({event: 'service.log' as const, data: {namespace: 'reports', name: 'api', seq: 'abc'.indexOf(text) + 1, time: '2025-06-01T12:00:00.000Z', stream: 'stdout' as const, line: text}});
    let data = reduce(EMPTY_DATA, {type: 'logTarget', target});
    data = reduce(data, {type: 'batch', batch: batch([], [line('b'), line('c')])});
    data = reduce(data, {type: 'logTail', target, runId: null, lines: [line('a'), line('b')]});
    expect(data.log.lines.map((entry) => entry.text)).toEqual(['a', 'b', 'c']);
    expect(data.log.loading).toBe(false);
  });
});
