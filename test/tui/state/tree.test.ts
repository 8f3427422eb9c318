import {describe, expect, it} from 'vitest';
import {buildRows, type TreeOptions} from '../../../tui/state/tree.js';
import {fold, INITIAL_VIEW, select, selectedRow} from '../../../tui/state/view.js';
import {scrollTop} from '../../../tui/state/window.js';
import {project, schedule, service, task} from '../../render/fixtures.js';

const projects = [
  project({tasks: [task(), task({name: 'cleanup'})], schedules: [schedule()], services: [service()]}),
  project({namespace: 'billing', tasks: [task({name: 'invoice'})]}),
];
const options = (overrides: Partial<TreeOptions> = {}): TreeOptions => ({collapsed: new Set(), filter: '', activity: null, now: Date.parse('2025-06-01T12:00:00Z'), ...overrides});
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
