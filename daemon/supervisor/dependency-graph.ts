import {CapsuleError} from '../../src/lib/errors.js';
import {didYouMean} from '../../src/lib/suggest.js';
import type {ServiceDependency} from '../../src/config/services.js';

/** A project's services by name, with what each depends on. */
export type DependencyMap = ReadonlyMap<string, readonly ServiceDependency[]>;

/** Rejects a dependency on a service that is not declared, and dependency cycles. */
export function checkDependencies(namespace: string, graph: DependencyMap): void {
  for (const [name, dependencies] of graph) {
    for (const dependency of dependencies) {
      if (graph.has(dependency.name) && dependency.name !== name) continue;
      if (dependency.name === name) {
        throw new CapsuleError('config_invalid', `service ${namespace}/${name} depends on itself`, {hint: `remove "${name}" from its depends_on`});
      }
      const suggestion = didYouMean(dependency.name, graph.keys());
      throw new CapsuleError('config_invalid', `service ${namespace}/${name} depends on "${dependency.name}", which is not a service of ${namespace}`, {
        hint: suggestion ? `did you mean "${suggestion}"?` : `declare [services.${dependency.name}] or remove it from depends_on`,
      });
    }
  }
  dependencyLayers(namespace, graph);
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
