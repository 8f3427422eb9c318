import {describe, expect, it} from 'vitest';
import {checkDependencies, dependencyLayers, longestStopMs, stopDependentsFirst} from '../../../daemon/supervisor/dependency-graph.js';
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

/** Stops that end only when the test says: what has begun shows what the order allows at each point. */
function controlledStops() {
  const begun: string[] = [];
  const finishers = new Map<string, {resolve: () => void; reject: (error: Error) => void}>();
  const stop = (name: string) =>
    new Promise<void>((resolve, reject) => {
      begun.push(name);
      finishers.set(name, {resolve, reject});
    });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {begun, stop, settle, finish: (name: string) => finishers.get(name)!.resolve(), fail: (name: string, error: Error) => finishers.get(name)!.reject(error)};
}

describe('stopDependentsFirst', () => {
  it('stops independent services together, and each dependency once its own dependents have stopped', async () => {
    // web → api → db; worker → db; cache alone. In layers, cache and db waited for web.
    const stops = controlledStops();
    const done = stopDependentsFirst('app', graph({web: ['api'], api: ['db'], worker: ['db'], db: [], cache: []}), stops.stop);
    await stops.settle();
    expect(stops.begun.sort()).toEqual(['cache', 'web', 'worker']);
    stops.finish('worker');
    stops.finish('cache');
    await stops.settle();
    expect(stops.begun).toHaveLength(3);
    stops.finish('web');
    await stops.settle();
    expect(stops.begun.at(-1)).toBe('api');
    stops.finish('api');
    await stops.settle();
    expect(stops.begun.at(-1)).toBe('db');
    stops.finish('db');
    await done;
  });

  it('still stops a dependency whose dependent failed to stop, and throws that failure after', async () => {
    const stops = controlledStops();
    const done = stopDependentsFirst('app', graph({web: ['db'], db: []}), stops.stop);
    const outcome = done.then(() => 'resolved', (error: Error) => error.message);
    await stops.settle();
    stops.fail('web', new Error('web would not stop'));
    await stops.settle();
    expect(stops.begun).toEqual(['web', 'db']);
    stops.finish('db');
    expect(await outcome).toBe('web would not stop');
  });

  it('refuses a cycle before stopping anything', async () => {
    const stops = controlledStops();
    await expect(stopDependentsFirst('app', graph({a: ['b'], b: ['a']}), stops.stop)).rejects.toMatchObject({code: 'config_invalid'});
    expect(stops.begun).toEqual([]);
  });
});

describe('longestStopMs', () => {
  it('is the longest chain of dependents, each stopping after those that depend on it', () => {
    const own: Record<string, number> = {web: 10, api: 5, db: 20, worker: 40, cache: 50};
    // worker (40) then db (20) = 60 beats web → api → db (35) and cache alone (50).
    expect(longestStopMs('app', graph({web: ['api'], api: ['db'], worker: ['db'], db: [], cache: []}), (name) => own[name]!)).toBe(60);
    expect(longestStopMs('app', graph({}), () => 1)).toBe(0);
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
