import {badInput} from '../../src/lib/errors.js';
import type {RunListParams, RunTarget} from '../../src/protocol/index.js';
import type {HandlerTable} from '../core/server.js';
import type {TasksPlugin} from '../plugins/tasks.js';
import {requireString} from './projects.js';

type RunMethods = 'run.submit' | 'run.get' | 'run.wait' | 'run.list' | 'run.cancel' | 'run.rerun' | 'run.logs';
const STATUSES = new Set(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

export function runHandlers(tasks: TasksPlugin): Pick<HandlerTable, RunMethods> {
  const {runner} = tasks;
  const id = (params: {id?: unknown}) => requireString(params?.id, 'id');
  return {
    'run.submit': async (params, call) => {
      const target = await resolveTarget(tasks, params?.target);
      return runner.submit(target, params?.input ?? {}, params?.follow ? {onAccepted: (runId) => call.subscribe(`run:${runId}`)} : {});
    },
    'run.get': (params) => runner.get(id(params)),
    'run.wait': (params) => runner.waitFor(id(params)),
    'run.list': (params) => ({runs: runner.list(listFilter(params))}),
    'run.cancel': (params) => runner.cancel(id(params)),
    'run.rerun': (params) => runner.rerun(id(params)),
    'run.logs': async (params, call) => {
      let runId: string | null = params?.id ?? null;
      if (runId === null) {
        const namespace = requireString(params?.namespace, 'namespace');
        const task = requireString(params?.task, 'task');
        tasks.requireTask(namespace, task);
        runId = runner.list({namespace, task, limit: 1})[0]?.id ?? null;
      } else {
        runner.get(runId);
      }
      if (runId === null) return {runId, lines: []};
      // Subscribed before the read (which may wait for the disk): a line logged meanwhile reaches
      // the caller twice, which it can tell by seq, rather than never.
      const topic = `run:${runId}`;
      if (params?.follow) call.subscribe(topic);
      try {
        return {runId, lines: await runner.logs(runId, params?.tail ?? 100)};
      } catch (error) {
        if (params?.follow) call.unsubscribe(topic);
        throw error;
      }
    },
  };
}

async function resolveTarget(tasks: TasksPlugin, target: RunTarget | undefined): Promise<{namespace: string; task: string}> {
  if (target && 'file' in target && typeof target.file === 'string') return tasks.prepareAdhoc(target.file, target.task);
  if (target && 'namespace' in target) return {namespace: requireString(target.namespace, 'target.namespace'), task: requireString(target.task, 'target.task')};
  throw badInput('run.submit expects target {namespace, task} or {file, task?}');
}

function listFilter(params: RunListParams): RunListParams {
  const filter: RunListParams = {limit: Math.min(Math.max(1, params?.limit ?? 20), 1000)};
  if (params?.namespace) filter.namespace = params.namespace;
  if (params?.task) filter.task = params.task;
  if (params?.status !== undefined) {
    if (!STATUSES.has(params.status)) throw badInput(`unknown status ${JSON.stringify(params.status)}`, `use one of ${[...STATUSES].join(', ')}`);
    filter.status = params.status;
  }
  return filter;
}

