import {randomUUID} from 'node:crypto';
import type {CallContext, HandlerTable} from '../core/router.js';
import type {ProjectRegistry} from '../projects/registry.js';
import {toLogLine, type ServicesPlugin} from '../plugins/services.js';
import {mergeLogTails} from '../supervisor/log-merge.js';
import type {Cluster} from '../cluster/cluster.js';

type ServiceMethods =
  | 'service.list'
  | 'service.start'
  | 'service.stop'
  | 'service.restart'
  | 'service.scale'
  | 'service.reload'
  | 'service.logs'
  | 'service.config.list'
  | 'service.config.get'
  | 'service.config.set'
  | 'service.config.unset'
  | 'service.logs.flush'
  | 'service.action';

export function serviceHandlers(services: ServicesPlugin, projects: ProjectRegistry, cluster: Cluster): Pick<HandlerTable, ServiceMethods> {
  const {supervisor} = services;
  const verb =
    (one: 'start' | 'stop' | 'restart') =>
    async ({namespace, name}: {namespace: string; name?: string | undefined}, call: CallContext) => {
      const snapshots = name === undefined ? await supervisor[`${one}Project`](namespace, call.actor) : await supervisor[one](namespace, name, call.actor);
      return {services: snapshots.map((snapshot) => services.summarize(snapshot))};
    };
  return {
    'service.list': async ({namespace}) => {
      const elsewhere = await cluster.othersServices(namespace);
      // A project only other nodes have is listed with theirs; one that no node has is not found, as on a daemon alone.
      if (namespace !== undefined && elsewhere.length === 0) projects.list(namespace);
      const here = services.list(namespace);
      if (cluster.backend === 'file') return {services: here};
      return {services: [...here.map((service) => ({...service, node: cluster.node})), ...elsewhere]};
    },
    'service.start': verb('start'),
    'service.stop': verb('stop'),
    'service.restart': verb('restart'),
    'service.scale': async ({namespace, name, instances}, call) => ({services: (await supervisor.scale(namespace, name, instances, call.actor)).map((snapshot) => services.summarize(snapshot))}),
    'service.reload': async ({namespace, name, timeoutMs}, call) => ({services: (await supervisor.reload(namespace, name, timeoutMs, call.actor)).map((snapshot) => services.summarize(snapshot))}),
    'service.logs': async ({namespace, name, tail, follow}, call) => {
      if (namespace !== undefined) projects.list(namespace);
      // Subscribed before the files are read, as run.logs: an overlap the caller drops by seq, never a gap.
      const topic = namespace === undefined ? 'service' : name === undefined ? `service:${namespace}` : `service:${namespace}/${name}`;
      if (follow) call.subscribe(topic);
      try {
        const targets = name === undefined ? supervisor.snapshot(namespace) : [{namespace: namespace!, name}];
        const tails = await Promise.all(targets.map(async (target) => (await supervisor.logs(target.namespace, target.name, {tail})).map((line) => toLogLine(target.namespace, line))));
        return mergeLogTails(tails, tail);
      } catch (error) {
        if (follow) call.unsubscribe(topic);
        throw error;
      }
    },
    'service.config.list': ({namespace, name}) => ({entries: supervisor.configList(namespace, name)}),
    'service.config.get': ({namespace, name, key}) => ({entry: supervisor.configGet(namespace, name, key)}),
    'service.config.set': async ({namespace, name, key, value}, call) => {
      const {entry, delivery} = await supervisor.configSet(namespace, name, key, value, call.actor);
      return {entry, applied: delivery};
    },
    'service.config.unset': async ({namespace, name, key}, call) => {
      const {entry, delivery} = await supervisor.configUnset(namespace, name, key, call.actor);
      return {entry, applied: delivery};
    },
    'service.logs.flush': async ({namespace, name}, call) => ({flushed: await supervisor.flushLogs(namespace, name, call.actor)}),
    'service.action': async ({namespace, name, action, args}, call) => {
      // A topic of its own, so only the caller receives this action's output.
      const key = `action-${randomUUID()}`;
      call.subscribe(`action:${key}`);
      return supervisor
        .runAction(namespace, name, action, args, {actor: call.actor, onOutput: (line) => services.publishActionOutput(key, {namespace, name, action, chunk: `${line.text}\n`})})
        .finally(() => call.unsubscribe(`action:${key}`));
    },
  };
}
