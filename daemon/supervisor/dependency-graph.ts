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
