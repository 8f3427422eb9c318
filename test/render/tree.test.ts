import {describe, expect, it} from 'vitest';
import type {ProjectSummary} from '../../src/protocol/index.js';
import {buildTree, renderTree} from '../../src/render/tree.js';
import {painter} from '../../src/render/style.js';

const project = (overrides: Partial<ProjectSummary>): ProjectSummary => ({
  namespace: 'reports',
  root: '/srv/reports',
  status: 'ok',
  error: null,
  version: '1.0.0',
  description: null,
  tasks: [],
  schedules: [],
  services: [],
  ...overrides,
});

describe('buildTree', () => {
  it('groups items under their namespace in a fixed order and leaves out empty groups', () => {
    const tree = buildTree([
      project({
        tasks: [{name: 'build_report'}],
        services: [{name: 'api', command: ['node', 'server.js']}],
      }),
    ]);
    expect(tree).toHaveLength(1);
    expect(tree[0]!.label).toBe('reports');
    expect(tree[0]!.children.map((group) => group.label)).toEqual(['tasks', 'services']);
    expect(tree[0]!.children[1]!.children[0]).toMatchObject({label: 'api', facts: ['node server.js']});
  });

  it('marks a project that did not load and carries its error', () => {
    const [node] = buildTree([project({status: 'error', error: {code: 'config_invalid', message: 'bad name'}})]);
    expect(node!.glyph).toBe('✗');
    expect(node!.facts).toContain('error: bad name');
  });
});

describe('renderTree', () => {
  const tree = buildTree([
    project({
      schedules: [{name: 'nightly', task: 'build_report', cron: '0 3 * * *', timezone: 'Europe/Paris'}],
      services: [{name: 'api', command: 'node server.js --port 8080 --verbose --with-a-very-long-flag'}],
    }),
  ]);

  it('draws box-drawing branches without colour when painting is off', () => {
    expect(renderTree(tree, {width: 200, paint: painter(false)})).toBe(
      [
        '◆ reports  /srv/reports',
        '├─ schedules  1',
        '│  └─ ◷ nightly  0 3 * * * Europe/Paris · → build_report',
        '└─ services  1',
        '   └─ ○ api  node server.js --port 8080 --verbose --with-a-very-long-flag',
      ].join('\n'),
    );
  });

  it('fits every line into the width, dropping facts before cutting', () => {
    const lines = renderTree(tree, {width: 30, paint: painter(false)}).split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(30);
    expect(lines[2]).toBe('│  └─ ◷ nightly  0 3 * * * Eu…');
  });

  it('colours only when asked, and colour never changes the text', () => {
    const coloured = renderTree(tree, {width: 200, paint: painter(true)});
    expect(coloured).toContain('\u001B[');
    // eslint-disable-next-line no-control-regex -- stripping ANSI colour codes
    expect(coloured.replace(/\u001B\[[0-9;]*m/g, '')).toBe(renderTree(tree, {width: 200, paint: painter(false)}));
  });
});
