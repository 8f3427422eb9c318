/**
 * The rule of `depends_on`: every entry names another service of the project, and no services
 * depend on each other in a cycle. Checked with the rest of the file, so each problem is shown
 * at the depends_on entry that causes it.
 */
import {didYouMean} from '../lib/suggest.js';
import type {KeyPath} from './locator.js';
import type {ServiceDependency} from './services.js';

export interface DependencyProblem {
  /** Below the services table: [service, "depends_on", index]. */
  path: KeyPath;
  message: string;
  suggestion: string | null;
}

export function dependencyProblems(services: Readonly<Record<string, {dependsOn: readonly ServiceDependency[]}>>): DependencyProblem[] {
  const names = Object.keys(services);
  const problems: DependencyProblem[] = [];
  for (const [name, {dependsOn}] of Object.entries(services)) {
    dependsOn.forEach((dependency, index) => {
      const path = [name, 'depends_on', index];
      if (dependency.name === name) problems.push({path, message: `service "${name}" depends on itself`, suggestion: null});
      else if (!(dependency.name in services)) {
        problems.push({path, message: `expected a service of this project, got "${dependency.name}"`, suggestion: didYouMean(dependency.name, names.filter((other) => other !== name)) ?? null});
      }
    });
  }
  if (problems.length === 0) problems.push(...cycles(services));
  return problems;
}

/** One problem per cycle, at the entry of its first service (in file order) that leads into it. */
function cycles(services: Readonly<Record<string, {dependsOn: readonly ServiceDependency[]}>>): DependencyProblem[] {
  const problems: DependencyProblem[] = [];
  const done = new Set<string>();
  for (const start of Object.keys(services)) {
    // Depth-first along the dependencies; `trail` is the path walked from `start`.
    const trail: string[] = [];
    const onTrail = new Set<string>();
    const walk = (name: string): void => {
      if (done.has(name)) return;
      if (onTrail.has(name)) {
        const cycle = trail.slice(trail.indexOf(name));
        const first = cycle.reduce((a, b) => (Object.keys(services).indexOf(a) <= Object.keys(services).indexOf(b) ? a : b));
        const next = cycle[(cycle.indexOf(first) + 1) % cycle.length]!;
        const loop = [...cycle.slice(cycle.indexOf(first)), ...cycle.slice(0, cycle.indexOf(first)), first];
        const index = services[first]!.dependsOn.findIndex((dependency) => dependency.name === next);
        problems.push({path: [first, 'depends_on', index], message: `services depend on each other in a cycle: ${loop.join(' → ')}`, suggestion: null});
        return;
      }
      trail.push(name);
      onTrail.add(name);
      for (const dependency of services[name]!.dependsOn) walk(dependency.name);
      trail.pop();
      onTrail.delete(name);
      done.add(name);
    };
    walk(start);
  }
  return problems;
}
