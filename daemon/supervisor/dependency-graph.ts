import {CapsuleError} from '../../src/lib/errors.js';
import type {ServiceDependency} from '../../src/config/services.js';

/** A project's services by name, with what each depends on. */
export type DependencyMap = ReadonlyMap<string, readonly ServiceDependency[]>;

/**
 * Groups the services so each one comes in a later group than everything it depends on:
 * start group by group, stop in the reverse order. Dependencies outside `graph` are ignored,
 * so a subset (the services being removed) can be ordered on its own. The project's file was
 * checked for cycles and unknown services when it loaded (src/config/dependencies.ts): a cycle
 * here is refused all the same rather than looped on.
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
