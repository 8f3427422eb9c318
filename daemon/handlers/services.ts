import {randomUUID} from 'node:crypto';
import {badInput} from '../../src/lib/errors.js';
import type {ServiceRef} from '../../src/protocol/index.js';
import type {HandlerTable} from '../core/server.js';
import type {ProjectRegistry} from '../projects/registry.js';
import {toConfigEntry, toLogLine, type ServicesPlugin} from '../plugins/services.js';
import {requireString} from './projects.js';

type ServiceMethods =
  | 'service.list'
  | 'service.start'
  | 'service.stop'
  | 'service.restart'
  | 'service.logs'
  | 'service.config.list'
  | 'service.config.get'
  | 'service.config.set'
  | 'service.action';

const APPLIED = {live: 'live', restart: 'restart', 'next-start': 'stored', unchanged: 'unchanged'} as const;

export function serviceHandlers(services: ServicesPlugin, projects: ProjectRegistry): Pick<HandlerTable, ServiceMethods> {
  const {supervisor} = services;
  const ref = (params: ServiceRef) => ({namespace: requireString(params?.namespace, 'namespace'), name: requireString(params?.name, 'name')});
  const verb = (one: 'start' | 'stop' | 'restart') => async (params: {namespace: string; name?: string}) => {
    const namespace = requireString(params?.namespace, 'namespace');
    const snapshots = params?.name === undefined ? await supervisor[`${one}Project`](namespace) : [await supervisor[one](namespace, requireString(params.name, 'name'))];
    return {services: snapshots.map((snapshot) => services.summarize(snapshot))};
  };
  return {
    'service.list': (params) => {
      if (params?.namespace !== undefined) projects.list(params.namespace);
      return {services: services.list(params?.namespace ?? undefined)};
    },
    'service.start': verb('start'),
    'service.stop': verb('stop'),
    'service.restart': verb('restart'),
    'service.logs': async (params, call) => {
      const {namespace, name} = ref(params);
      // Subscribed before the file is read, as run.logs: an overlap the caller drops by seq, never a gap.
      const topic = `service:${namespace}/${name}`;
      if (params?.follow) call.subscribe(topic);
      try {
        return {lines: (await supervisor.logs(namespace, name, {tail: params?.tail ?? 100})).map((line) => toLogLine(namespace, name, line))};
      } catch (error) {
        if (params?.follow) call.unsubscribe(topic);
        throw error;
      }
    },
    'service.config.list': (params) => {
      const {namespace, name} = ref(params);
      return {entries: supervisor.configList(namespace, name).map(toConfigEntry)};
    },
    'service.config.get': (params) => {
      const {namespace, name} = ref(params);
      return {entry: toConfigEntry(supervisor.configGet(namespace, name, requireString(params?.key, 'key')))};
    },
    'service.config.set': async (params) => {
      const {namespace, name} = ref(params);
      if (typeof params?.value !== 'string') throw badInput(`expected "value" as a string (it is parsed as the declared type), got ${JSON.stringify(params?.value)}`);
      const result = await supervisor.configSet(namespace, name, requireString(params?.key, 'key'), params.value);
      return {entry: toConfigEntry(result.entry), applied: APPLIED[result.delivery]};
    },
    'service.action': async (params, call) => {
      const {namespace, name} = ref(params);
      const action = requireString(params?.action, 'action');
      const args = params?.args ?? {};
      if (typeof args !== 'object' || Object.values(args).some((value) => typeof value !== 'string')) throw badInput('expected "args" as an object of strings');
      // A topic of its own, so only the caller receives this action's output.
      const key = `action-${randomUUID()}`;
      call.subscribe(`action:${key}`);
      const result = await supervisor
        .runAction(namespace, name, action, args, {onOutput: (line) => services.publishActionOutput(key, {namespace, name, action, chunk: `${line.text}\n`})})
        .finally(() => call.unsubscribe(`action:${key}`));
      return {exitCode: result.exitCode ?? 1, signal: result.signal, timedOut: result.timedOut, output: result.output, result: result.result};
    },
  };
}
