import {resolveBareName} from '../../src/protocol/targets.js';
import type {HandlerTable} from '../core/router.js';
import type {DaemonServices} from '../services.js';

export function projectHandlers({projects, audit, sandbox}: DaemonServices): Pick<HandlerTable, 'project.add' | 'project.remove' | 'project.reload' | 'project.list' | 'project.resolve'> {
  return {
    'project.add': async ({root}, call) => {
      const project = await projects.add(root);
      audit.record({actor: call.actor, kind: 'project.add', target: project.namespace, details: {root: project.root, status: project.status}});
      return project;
    },
    'project.remove': async (target, call) => {
      const removed = await projects.remove(target);
      audit.record({actor: call.actor, kind: 'project.remove', target: removed.namespace, details: {root: removed.root}});
      return removed;
    },
    'project.reload': async (target, call) => {
      const project = await projects.reload(target);
      audit.record({actor: call.actor, kind: 'project.reload', target: project.namespace, details: {status: project.status}});
      return project;
    },
    'project.list': ({namespace}) => ({projects: projects.list(namespace), sandbox: sandbox()}),
    'project.resolve': (query) => resolveBareName(projects.list(), query),
  };
}
