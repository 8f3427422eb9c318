import {badInput} from '../../src/lib/errors.js';
import type {HandlerTable} from '../core/server.js';
import type {DaemonServices} from '../services.js';

export function projectHandlers({projects}: DaemonServices): Pick<HandlerTable, 'project.add' | 'project.remove' | 'project.reload' | 'project.list'> {
  return {
    'project.add': (params) => projects.add(requireString(params?.root, 'root')),
    'project.remove': (params) => projects.remove(requireString(params?.namespace, 'namespace')),
    'project.reload': (params) => projects.reload(requireString(params?.namespace, 'namespace')),
    'project.list': (params) => ({projects: projects.list(params?.namespace ?? undefined)}),
  };
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw badInput(`expected "${name}" to be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}
