import {CapsuleError} from '../../src/lib/errors.js';
import {dependencyProblems} from '../../src/config/dependencies.js';
import {formatKeyPath} from '../../src/config/issues.js';
import type {ServiceConfig, ServiceDependency} from '../../src/config/services.js';

/** A project's services by name, with what each depends on. */
export type DependencyMap = ReadonlyMap<string, readonly ServiceDependency[]>;

/**
 * The rule capsule.toml is loaded under (src/config/dependencies.ts), held for services handed
 * to the supervisor by other means too: nothing is started from a graph it cannot order.
 */
export function checkDependencies(namespace: string, services: Readonly<Record<string, ServiceConfig>>): void {
  const [problem] = dependencyProblems(services);
  if (problem === undefined) return;
  throw new CapsuleError('config_invalid', `services of ${namespace}: ${formatKeyPath(['services', ...problem.path])}: ${problem.message}`, {
    hint: problem.suggestion === null ? 'fix depends_on in capsule.toml' : `did you mean "${problem.suggestion}"?`,
  });
}

/**
 * Groups the services so each one comes in a later group than everything it depends on:
 * start group by group, stop in the reverse order. Dependencies outside `graph` are ignored,
 * so a subset (the services being removed) can be ordered on its own.
 */
export function dependencyLayers(namespace: string, graph: DependencyMap): string[][] {
  const placed = new Set<string>();
  const layers: string[][] = [];
  while (placed.size < graph.size) {
    const layer = [...graph.keys()].filter(
      (name) => !placed.has(name) && (graph.get(name) ?? []).every((dependency) => placed.has(dependency.name) || !graph.has(dependency.name)),
    );
    if (layer.length === 0) {
      const cycle = [...graph.keys()].filter((name) => !placed.has(name));
      throw new CapsuleError('config_invalid', `services of ${namespace} depend on each other in a cycle: ${cycle.join(', ')}`, {
        hint: 'remove one depends_on entry so the services can start one after another',
      });
    }
    layer.forEach((name) => placed.add(name));
    layers.push(layer);
  }
  return layers;
}

/** Each service of `graph` with the services of `graph` that depend on it: what must stop before it. */
function dependentsIn(graph: DependencyMap): Map<string, string[]> {
  const dependents = new Map([...graph.keys()].map((name): [string, string[]] => [name, []]));
  for (const [name, dependencies] of graph) for (const dependency of dependencies) dependents.get(dependency.name)?.push(name);
  return dependents;
}

/**
 * Stops every service of `graph`, each as soon as every service depending on it has stopped:
 * independent services stop together, and a service waits for its own dependents only, not for
 * a whole layer (one slow dependent holds up what it depends on, nothing else). A dependent
 * whose stop failed does not keep its dependency running; the first failure is thrown once all
 * stops have settled. Dependencies outside `graph` are ignored, as for dependencyLayers.
 */
export async function stopDependentsFirst(namespace: string, graph: DependencyMap, stop: (name: string) => Promise<void>): Promise<void> {
  // Refuses a cycle before anything stops.
  dependencyLayers(namespace, graph);
  const dependents = dependentsIn(graph);
  const stops = new Map<string, Promise<void>>();
  const stopped = (name: string): Promise<void> => {
    let promise = stops.get(name);
    if (promise === undefined) {
      promise = Promise.allSettled(dependents.get(name)!.map(stopped)).then(() => stop(name));
      stops.set(name, promise);
    }
    return promise;
  };
  const failure = (await Promise.allSettled([...graph.keys()].map(stopped))).find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * How long stopping every service of `graph` dependents first may take at most, given how long
 * each one's own stop may take: the longest chain of dependents, each stopping after the ones
 * that depend on it.
 */
export function longestStopMs(namespace: string, graph: DependencyMap, ownMs: (name: string) => number): number {
  const dependents = dependentsIn(graph);
  const total = new Map<string, number>();
  // Dependents come in later layers: walking the layers backwards meets them first.
  for (const layer of dependencyLayers(namespace, graph).reverse()) {
    for (const name of layer) total.set(name, ownMs(name) + Math.max(0, ...dependents.get(name)!.map((dependent) => total.get(dependent)!)));
  }
  return Math.max(0, ...total.values());
}
