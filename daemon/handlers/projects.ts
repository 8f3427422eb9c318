import {badInput} from '../../src/lib/errors.js';
import type {HandlerTable} from '../core/server.js';
import type {DaemonServices} from '../services.js';

export function projectHandlers({projects, audit}: DaemonServices): Pick<HandlerTable, 'project.add' | 'project.remove' | 'project.reload' | 'project.list'> {
  return {
    'project.add': async (params, call) => {
      const project = await projects.add(requireString(params?.root, 'root'));
      audit.record({actor: call.actor, kind: 'project.add', target: project.namespace, details: {root: project.root, status: project.status}});
      return project;
    },
    'project.remove': async (params, call) => {
      const removed = await projects.remove(requireString(params?.namespace, 'namespace'));
      audit.record({actor: call.actor, kind: 'project.remove', target: removed.namespace, details: {root: removed.root}});
      return removed;
    },
    'project.reload': async (params, call) => {
      const project = await projects.reload(requireString(params?.namespace, 'namespace'));
      audit.record({actor: call.actor, kind: 'project.reload', target: project.namespace, details: {status: project.status}});
      return project;
    },
    'project.list': (params) => ({projects: projects.list(params?.namespace ?? undefined)}),
  };
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw badInput(`expected "${name}" to be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}
