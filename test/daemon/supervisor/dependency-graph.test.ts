import {describe, expect, it} from 'vitest';
import {dependencyLayers} from '../../../daemon/supervisor/dependency-graph.js';
import type {ServiceDependency} from '../../../src/config/services.js';

const graph = (entries: Record<string, string[]>) =>
  new Map(Object.entries(entries).map(([name, dependencies]) => [name, dependencies.map((dependency): ServiceDependency => ({name: dependency, condition: 'started'}))]));

describe('dependencyLayers', () => {
  it('puts every service after what it depends on', () => {
    expect(dependencyLayers('app', graph({web: ['api'], api: ['db', 'cache'], db: [], cache: [], worker: ['db']}))).toEqual([['db', 'cache'], ['api', 'worker'], ['web']]);
  });

  it('orders a subset on its own, ignoring dependencies outside it', () => {
    expect(dependencyLayers('app', graph({web: ['api'], api: ['db']}))).toEqual([['api'], ['web']]);
  });

  it('rejects a cycle, naming the services in it', () => {
    expect(() => dependencyLayers('app', graph({a: ['b'], b: ['c'], c: ['a'], d: []}))).toThrow(expect.objectContaining({code: 'config_invalid', message: 'services of app depend on each other in a cycle: a, b, c'}));
  });
});
