import {describe, expect, it} from 'vitest';
import type {ProjectSummary} from '../../src/protocol/index.js';
import {resolveBareName} from '../../src/protocol/targets.js';

function project(namespace: string, items: {tasks?: string[]; schedules?: string[]; services?: string[]}): ProjectSummary {
  const named = (names: string[] = []) => names.map((name) => ({name})) as never[];
  return {namespace, root: `/srv/${namespace}`, status: 'ok', error: null, version: null, description: null, tasks: named(items.tasks), schedules: named(items.schedules), services: named(items.services)};
}

const projects = [
  project('shop', {tasks: ['fetch', 'only_shop'], services: ['api'], schedules: ['poll']}),
  project('depot', {tasks: ['fetch'], services: ['worker#0', 'worker#1']}),
  project('api', {}),
];

function failure(run: () => unknown): {code: string; message: string; hint?: string} {
  try {
    run();
  } catch (error) {
    return error as {code: string; message: string; hint?: string};
  }
  throw new Error('expected it to throw');
}

describe('a bare name', () => {
  it('is the item of the project it was typed in, before a namespace and before other projects', () => {
    expect(resolveBareName(projects, {name: 'fetch', kinds: ['task'], namespaces: false, root: '/srv/depot'})).toEqual({target: 'depot/fetch', kind: 'task'});
    expect(resolveBareName(projects, {name: 'api', kinds: ['service'], namespaces: true, root: '/srv/shop'})).toEqual({target: 'shop/api', kind: 'service'});
  });

  it('elsewhere is a namespace where one is wanted, else the one item of that name', () => {
    expect(resolveBareName(projects, {name: 'api', kinds: ['service'], namespaces: true})).toEqual({target: 'api', kind: 'namespace'});
    expect(resolveBareName(projects, {name: 'api', kinds: ['service'], namespaces: false})).toEqual({target: 'shop/api', kind: 'service'});
    expect(resolveBareName(projects, {name: 'worker', kinds: ['service', 'task'], namespaces: false})).toEqual({target: 'depot/worker', kind: 'service'});
    expect(resolveBareName(projects, {name: 'poll', kinds: ['service', 'schedule'], namespaces: false, root: '/srv/depot'})).toEqual({target: 'shop/poll', kind: 'schedule'});
  });

  it('that several projects have lists them all', () => {
    const error = failure(() => resolveBareName(projects, {name: 'fetch', kinds: ['task'], namespaces: false}));
    expect(error.code).toBe('bad_input');
    expect(error.hint).toBe('did you mean "shop/fetch" (task) or "depot/fetch" (task)?');
  });

  it('that nothing has suggests the nearest, the project typed in first', () => {
    const here = failure(() => resolveBareName(projects, {name: 'fetc', kinds: ['task'], namespaces: false, root: '/srv/depot'}));
    expect(here).toMatchObject({code: 'not_found', hint: 'did you mean "depot/fetch"?'});
    expect(here.message).toContain('in depot (the project of this directory)');
    expect(failure(() => resolveBareName(projects, {name: 'shpo', kinds: ['task'], namespaces: true})).hint).toBe('did you mean "shop"?');
    expect(failure(() => resolveBareName(projects, {name: 'zzzz', kinds: ['task'], namespaces: false})).hint).toBe('see `capsule list --tree` for the names');
    expect(failure(() => resolveBareName(projects, {name: 'zzzz', kinds: ['task'], namespaces: false, root: '/srv/new'})).hint).toContain('(/srv/new) is not registered');
  });
});
