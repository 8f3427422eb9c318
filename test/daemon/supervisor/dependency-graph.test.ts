import {describe, expect, it} from 'vitest';
import {checkDependencies, dependencyLayers} from '../../../daemon/supervisor/dependency-graph.js';
import {serviceSchema, type ServiceDependency} from '../../../src/config/services.js';

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

describe('checkDependencies', () => {
  const services = (entries: Record<string, string[]>) => Object.fromEntries(Object.entries(entries).map(([name, dependsOn]) => [name, serviceSchema.parse({command: ['true'], depends_on: dependsOn})]));

  it("holds services handed over directly to capsule.toml's rule, naming the entry", () => {
    expect(() => checkDependencies('app', services({web: ['dbb'], db: []}))).toThrow(
      expect.objectContaining({code: 'config_invalid', message: 'services of app: services.web.depends_on[0]: expected a service of this project, got "dbb"', hint: 'did you mean "db"?'}),
    );
    expect(() => checkDependencies('app', services({a: ['b'], b: ['a']}))).toThrow('services of app: services.a.depends_on[0]: services depend on each other in a cycle: a → b → a');
    expect(() => checkDependencies('app', services({web: ['db'], db: []}))).not.toThrow();
  });
});
