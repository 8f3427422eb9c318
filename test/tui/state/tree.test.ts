import {describe, expect, it} from 'vitest';
import {buildRows, describeRow, type TreeOptions} from '../../../tui/state/tree.js';
import {taskActivity} from '../../../tui/state/runs.js';
import {run, session} from '../helpers/world.js';
import {fold, INITIAL_VIEW, select, selectedRow} from '../../../tui/state/view.js';
import {scrollTop} from '../../../tui/state/window.js';
import {project, schedule, service, task} from '../../render/fixtures.js';

const projects = [
  project({tasks: [task(), task({name: 'cleanup'})], schedules: [schedule()], services: [service()]}),
  project({namespace: 'billing', tasks: [task({name: 'invoice'})]}),
];
const options = (overrides: Partial<TreeOptions> = {}): TreeOptions => ({collapsed: new Set(), filter: '', ...overrides});
const labels = (rows: {depth: number; label: string}[]) => rows.map((row) => `${'  '.repeat(row.depth)}${row.label}`);

describe('tree rows', () => {
  it('lists namespace → tasks / schedules / services, leaving out empty groups', () => {
    expect(labels(buildRows(projects, options()))).toEqual(['reports', '  tasks', '    build_report', '    cleanup', '  schedules', '    nightly', '  services', '    api', 'billing', '  tasks', '    invoice']);
  });

  it('folds projects and groups, and shows every match (with its parents) while filtering', () => {
    expect(labels(buildRows(projects, options({collapsed: new Set(['reports', 'billing/tasks'])})))).toEqual(['reports', 'billing', '  tasks']);
    expect(labels(buildRows(projects, options({filter: 'CLEAN', collapsed: new Set(['reports'])})))).toEqual(['reports', '  tasks', '    cleanup']);
    expect(labels(buildRows(projects, options({filter: 'billing'})))).toEqual(['billing', '  tasks', '    invoice']);
    expect(buildRows(projects, options({filter: 'nothing'}))).toEqual([]);
  });

  it('lists code sessions after the projects, folds them, and filters them by id or project', () => {
    const sessions = [session(), session({id: 'ses_ffee001122', project: null, state: 'lost', reason: 'its process was gone after a restart'})];
    expect(labels(buildRows(projects.slice(1), options(), sessions))).toEqual(['billing', '  tasks', '    invoice', 'sessions', '  ses_0a1b2c3d4e', '  ses_ffee001122']);
    expect(labels(buildRows(projects.slice(1), options({collapsed: new Set([':sessions'])}), sessions))).toEqual(['billing', '  tasks', '    invoice', 'sessions']);
    expect(labels(buildRows(projects, options({filter: 'ffee'}), sessions))).toEqual(['sessions', '  ses_ffee001122']);
    // "reports" matches the project and the session opened for it.
    expect(labels(buildRows(projects, options({filter: 'reports'}), sessions)).slice(-2)).toEqual(['sessions', '  ses_0a1b2c3d4e']);
    const rows = buildRows([], options(), sessions);
    expect(describeRow(rows[0]!, null, 0)).toEqual({glyph: '›_', tone: 'cyan', facts: ['2', '1 lost']});
    expect(describeRow(rows[2]!, null, Date.parse('2025-06-01T12:00:00Z'))).toEqual({glyph: '◌', tone: 'red', facts: ['lost', 'no project', '12 snippets', '56MB', 'used 2m ago', 'its process was gone after a restart']});
    // A filter lands on the first row that is not a heading.
    expect(selectedRow(buildRows(projects, options({filter: 'ffee'}), sessions), {...INITIAL_VIEW, filter: 'ffee'})).toBe(1);
  });

  it('rebuilds only the rows of a project that changed', () => {
    const first = buildRows(projects, options());
    const changed = [{...projects[0]!, services: [service({state: 'failed'})]}, projects[1]!];
    const second = buildRows(changed, options());
    expect(second.find((row) => row.label === 'invoice')).toBe(first.find((row) => row.label === 'invoice'));
    expect(second.find((row) => row.label === 'api')).not.toBe(first.find((row) => row.label === 'api'));
    expect(describeRow(second.find((row) => row.label === 'api')!, null, 0)).toMatchObject({glyph: '✗', tone: 'red'});
  });

  it('describes a task with its live counts and newest run when runs are tracked', () => {
    const row = buildRows(projects, options()).find((candidate) => candidate.label === 'build_report')!;
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(describeRow(row, null, now)).toMatchObject({glyph: '○', tone: 'gray', facts: []});
    const activity = taskActivity(new Map([['a', run({id: 'a', status: 'running'})], ['b', run({id: 'b', status: 'queued', createdAt: '2025-06-01T11:30:00.000Z'})]]));
    expect(describeRow(row, activity, now)).toMatchObject({glyph: '●', tone: 'blue', facts: ['1 running, 1 queued', expect.stringMatching(/^last queued/)]});
  });

  it('counts the tracked scheduled, sleeping and waiting runs of a task live, not the summary\'s older counts', () => {
    const stale = buildRows([project({tasks: [task({scheduled: 3})]})], options()).find((candidate) => candidate.label === 'build_report')!;
    const now = Date.parse('2025-06-01T12:00:00Z');
    const runs = [run({id: 'a', status: 'scheduled'}), run({id: 'b', status: 'sleeping'}), run({id: 'c', status: 'waiting'}), run({id: 'd', status: 'waiting'}), run({id: 'e', status: 'succeeded'})];
    const activity = taskActivity(new Map(runs.map((tracked) => [tracked.id, tracked])));
    expect(describeRow(stale, activity, now).facts[0]).toBe('1 scheduled, 1 sleeping, 2 waiting');
  });

  it('keeps the selection on its row by key as rows come and go, and folds or climbs with ←', () => {
    const rows = buildRows(projects, options());
    let view = select(INITIAL_VIEW, rows, 7);
    expect(rows[selectedRow(rows, view)]!.label).toBe('api');
    const fewer = buildRows([projects[0]!].map((known) => ({...known, tasks: []})), options());
    expect(fewer[selectedRow(fewer, view)]!.label).toBe('api');
    view = fold(view, rows, true);
    expect(rows[selectedRow(rows, view)]!.label).toBe('services');
    view = fold(view, rows, true);
    expect(view.collapsed.has('reports/services')).toBe(true);
  });

  it('scrolls a window only as far as needed to keep the selection visible', () => {
    expect(scrollTop(0, 5, 10, 100)).toBe(0);
    expect(scrollTop(0, 12, 10, 100)).toBe(3);
    expect(scrollTop(3, 4, 10, 100)).toBe(3);
    expect(scrollTop(30, 2, 10, 100)).toBe(2);
    expect(scrollTop(95, 99, 10, 100)).toBe(90);
  });
});
