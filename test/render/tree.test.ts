import {describe, expect, it} from 'vitest';
import {describeSchedule, describeService, describeTask} from '../../src/render/items.js';
import {buildTree, renderTree} from '../../src/render/tree.js';
import {painter} from '../../src/render/style.js';
import {project, schedule, service, task} from './fixtures.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('buildTree', () => {
  it('groups items under their namespace in a fixed order and leaves out empty groups', () => {
    const tree = buildTree([project({tasks: [task()], services: [service()]})]);
    expect(tree).toHaveLength(1);
    expect(tree[0]!.label).toBe('reports');
    expect(tree[0]!.children.map((group) => group.label)).toEqual(['tasks', 'services']);
    expect(tree[0]!.children[1]!.children[0]!.label).toBe('api');
  });

  it('marks a project that did not load and carries its error', () => {
    const [node] = buildTree([project({status: 'error', error: {code: 'config_invalid', message: 'bad name'}})]);
    expect(node!.glyph).toBe('✗');
    expect(node!.facts).toContain('error: bad name');
  });
});

describe('item facts', () => {
  it('shows a task with its limits, live counts and last run', () => {
    const line = describeTask(task({running: 1, queued: 2, lastRun: {id: 'run_1', status: 'failed', createdAt: '2026-11-21T11:50:00Z', finishedAt: '2026-11-21T11:57:00Z'}}), NOW);
    expect(line.glyph).toBe('●');
    expect(line.facts).toEqual(['512MB · 2m · cpu 30s · retries 3', '1 running, 2 queued', 'last failed 3m ago']);
  });

  it('names a task\'s isolation unless it is the default thread', () => {
    expect(describeTask(task({isolation: 'process'}), NOW).facts).toEqual(['512MB · 2m · cpu 30s · retries 3 · process']);
    expect(describeTask(task({isolation: 'sandbox'}), NOW).facts).toEqual(['512MB · 2m · cpu 30s · retries 3 · sandbox']);
  });

  it('counts a task\'s scheduled, sleeping and waiting runs beside the running and queued ones, when there are any', () => {
    expect(describeTask(task({running: 1, scheduled: 3, sleeping: 2, waiting: 1}), NOW).facts).toEqual(['512MB · 2m · cpu 30s · retries 3', '1 running, 3 scheduled, 2 sleeping, 1 waiting']);
    expect(describeTask(task({waiting: 1}), NOW).facts).toEqual(['512MB · 2m · cpu 30s · retries 3', '1 waiting']);
    expect(describeTask(task(), NOW).facts).toEqual(['512MB · 2m · cpu 30s · retries 3']);
  });

  it('shows a schedule with its next fire, or that it is paused', () => {
    expect(describeSchedule(schedule({nextFireAt: '2026-11-21T15:12:00Z'}), NOW).facts).toEqual(['0 3 * * * Europe/Paris', '→ build_report', 'next in 3h 12m']);
    const paused = describeSchedule(schedule({paused: true, skipped: 2}), NOW);
    expect(paused.glyph).toBe('⏸');
    expect(paused.facts).toContain('paused');
    expect(paused.facts).toContain('2 skipped');
  });

  it('shows a service with health, pid, uptime, restarts, CPU and memory', () => {
    expect(describeService(service()).facts).toEqual(['healthy', 'pid 4242', 'up 2h', '↻ 1', '1.3%', '48MB']);
    const crashed = describeService(service({state: 'failed', health: null, pid: null, uptimeMs: null, cpuPercent: null, rssBytes: null, restarts: 5, lastExit: {code: 1, signal: null, at: '2026-11-21T11:00:00Z'}}));
    expect(crashed.glyph).toBe('✗');
    expect(crashed.facts).toEqual(['failed', '↻ 5', 'exit 1']);
  });

  it('ends with why a service failed', () => {
    const missing = describeService(service({state: 'failed', health: null, pid: null, uptimeMs: null, cpuPercent: null, rssBytes: null, restarts: 0, reason: 'command not found: nodee'}));
    expect(missing.facts).toEqual(['failed', '↻ 0', 'command not found: nodee']);
  });
});

describe('renderTree', () => {
  const tree = buildTree([project({schedules: [schedule({paused: true})], services: [service({command: 'node server.js'})]})]);

  it('draws box-drawing branches without colour when painting is off', () => {
    expect(renderTree(tree, {width: 200, paint: painter(false)})).toBe(
      [
        '◆ reports  /srv/reports',
        '├─ schedules  1',
        '│  └─ ⏸ nightly  0 3 * * * Europe/Paris · → build_report · paused',
        '└─ services  1',
        '   └─ ● api  healthy · pid 4242 · up 2h · ↻ 1 · 1.3% · 48MB',
      ].join('\n'),
    );
  });

  it('fits every line into the width, dropping facts before cutting', () => {
    const lines = renderTree(tree, {width: 30, paint: painter(false)}).split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(30);
    expect(lines[2]).toBe('│  └─ ⏸ nightly  0 3 * * * Eu…');
  });

  it('colours only when asked, and colour never changes the text', () => {
    const coloured = renderTree(tree, {width: 200, paint: painter(true)});
    expect(coloured).toContain('\u001B[');
    // eslint-disable-next-line no-control-regex -- stripping ANSI colour codes
    expect(coloured.replace(/\u001B\[[0-9;]*m/g, '')).toBe(renderTree(tree, {width: 200, paint: painter(false)}));
  });
});
