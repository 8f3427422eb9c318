import {describe, expect, it} from 'vitest';
import {findItem} from '../../../tui/state/item.js';
import {mergeLists, putProject, putService, removeProject} from '../../../tui/state/projects.js';
import {buildRows} from '../../../tui/state/tree.js';
import {project, service} from '../../render/fixtures.js';

// A second directory listed under a namespace another holds (refused it): the dashboard keeps them apart by root.
const holder = project({root: '/srv/shop', namespace: 'shop', services: [service()]});
const copy = project({root: '/tmp/shop-copy', namespace: 'shop', status: 'error', version: null, error: {code: 'conflict', message: 'namespace "shop" is already used by the project in /srv/shop'}});

describe('two directories under one namespace', () => {
  it("an update of the copy never replaces the holder's summary, and removal goes by directory", () => {
    const projects = putProject(putProject([], holder), copy);
    expect(projects.map((known) => known.root)).toEqual(['/srv/shop', '/tmp/shop-copy']);
    expect(projects[0]).toBe(holder);
    // An "ok" summary holds the namespace: listed first even when it arrives last.
    expect(putProject([copy], holder).map((known) => known.root)).toEqual(['/srv/shop', '/tmp/shop-copy']);
    expect(removeProject(projects, '/tmp/shop-copy')).toEqual([holder]);
  });

  it("gives the namespace's schedules and services to the holder only", () => {
    const merged = mergeLists([copy, holder], [], [{...service({name: 'web'}), namespace: 'shop'}]);
    expect(merged.map((known) => [known.root, known.services.map((item) => item.name)])).toEqual([
      ['/srv/shop', ['web']],
      ['/tmp/shop-copy', []],
    ]);
  });

  it('shows each as a row of its own, whose details are its own', () => {
    const rows = buildRows([holder, copy], {collapsed: new Set(), filter: ''}).filter((row) => row.depth === 0);
    expect(rows.map((row) => row.key)).toEqual(['shop', 'shop@/tmp/shop-copy']);
    expect(findItem([holder, copy], rows[1]!.selection, null)).toMatchObject({kind: 'project', project: {root: '/tmp/shop-copy', status: 'error'}});
    expect(findItem([holder, copy], rows[0]!.selection, null)).toMatchObject({kind: 'project', project: {root: '/srv/shop'}});
  });
});

describe("a service's instances", () => {
  const names = (projects: ReturnType<typeof putProject>) => projects[0]!.services.map((row) => row.name);
  const instance = (name: string, index: number, instances: number) => ({...service({name, instance: index, instances}), namespace: 'shop'});

  it('scaled up: the bare row gives way to #0, and new instances go among their service, in order', () => {
    let projects = putProject([], project({namespace: 'shop', services: [service({name: 'api'}), service({name: 'web'})]}));
    projects = putService(projects, instance('api#2', 2, 3));
    projects = putService(projects, instance('api#0', 0, 3));
    projects = putService(projects, instance('api#1', 1, 3));
    expect(names(projects)).toEqual(['api#0', 'api#1', 'api#2', 'web']);
  });

  it('scaled down: the rows past the new count go, and one instance is the bare name again', () => {
    let projects = putProject([], project({namespace: 'shop', services: [instance('api#0', 0, 3), instance('api#1', 1, 3), instance('api#2', 2, 3), service({name: 'web'})]}));
    projects = putService(projects, instance('api#1', 1, 2));
    expect(names(projects)).toEqual(['api#0', 'api#1', 'web']);
    projects = putService(projects, instance('api', 0, 1));
    expect(names(projects)).toEqual(['api', 'web']);
  });
});
