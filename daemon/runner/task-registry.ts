import {CapsuleError, notFound} from '../../src/lib/errors.js';
import {nearestName} from '../../src/lib/suggest.js';
import type {TaskRef} from '../../src/protocol/index.js';
import type {TaskSpec} from './task-spec.js';

interface Project {
  root: string;
  tasks: Map<string, TaskSpec>;
}

/** The tasks of every loaded project, by namespace and name. */
export class TaskRegistry {
  readonly #projects = new Map<string, Project>();

  /** Replaces a project's tasks. */
  set(namespace: string, root: string, tasks: TaskSpec[]): void {
    const byName = new Map<string, TaskSpec>();
    for (const spec of tasks) {
      if (byName.has(spec.name)) throw new CapsuleError('config_invalid', `project "${namespace}" declares task "${spec.name}" twice`, {hint: 'give each task() a distinct name'});
      byName.set(spec.name, spec);
    }
    this.#projects.set(namespace, {root, tasks: byName});
  }

  remove(namespace: string): void {
    this.#projects.delete(namespace);
  }

  get(namespace: string, task: string): TaskSpec | undefined {
    return this.#projects.get(namespace)?.tasks.get(task);
  }

  /** The project's directory: where its tasks run. */
  root(namespace: string): string | undefined {
    return this.#projects.get(namespace)?.root;
  }

  /** The task, or a `not_found` error suggesting the closest project or task name. */
  require({namespace, task}: TaskRef): TaskSpec {
    const project = this.#projects.get(namespace);
    if (!project) {
      const guess = nearestName(namespace, this.#projects.keys());
      throw notFound(`no project "${namespace}" is loaded`, guess ? `did you mean "${guess}/${task}"?` : 'add it with `capsule project add DIR`; `capsule list` shows the loaded projects');
    }
    const spec = project.tasks.get(task);
    if (spec) return spec;
    const guess = nearestName(task, project.tasks.keys());
    throw notFound(`project "${namespace}" has no task "${task}"`, guess ? `did you mean "${namespace}/${guess}"?` : '`capsule list --tree` shows the tasks of each project');
  }
}
