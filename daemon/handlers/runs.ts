import {CapsuleError} from '../../src/lib/errors.js';
import type {HandlerTable} from '../core/router.js';
import {ADHOC_NAMESPACE, type TasksPlugin} from '../plugins/tasks.js';
import type {ProjectRegistry} from '../projects/registry.js';

type RunMethods = 'run.submit' | 'run.get' | 'run.steps' | 'run.signal' | 'run.answer' | 'run.wait' | 'run.list' | 'run.cancel' | 'run.rerun' | 'run.logs';

export function runHandlers(tasks: TasksPlugin, projects: Pick<ProjectRegistry, 'list'>): Pick<HandlerTable, RunMethods> {
  const {runner} = tasks;
  return {
    'run.submit': async ({target, input, follow, wait, runAt, ...options}, call) => {
      // A follower learns the run's id from the reply, which `wait` holds back until the run ends.
      if (follow && wait) throw new CapsuleError('bad_request', 'run.submit: params.follow and params.wait exclude each other', {hint: 'send `wait: true` for the final record, or `follow: true` for the events (then `run.wait`)'});
      const task = 'file' in target ? await tasks.prepareAdhoc(target.file, target.task) : target;
      const onAccepted = follow ? (runId: string) => call.subscribe(`run:${runId}`) : undefined;
      // Assigned, not spread: a spread followed by new keys is slow in V8 (see newRun in run-state.ts).
      const accepted = await runner.submit(task, input, Object.assign(options, {runAt: runAt === undefined ? undefined : Date.parse(runAt), onAccepted}));
      return wait ? runner.waitFor(accepted.id) : accepted;
    },
    'run.get': ({id}) => runner.get(id),
    'run.steps': ({id}) => ({steps: runner.steps(id)}),
    'run.signal': ({id, name, value}) => runner.signal(id, name, value),
    'run.answer': ({id, step, value}) => runner.answer(id, step, value),
    'run.wait': ({id}) => runner.waitFor(id),
    'run.list': (filter) => {
      const runs = runner.list(filter);
      // None: a misspelt name must not read as a quiet history. Runs outlive their task, so a name is checked only then.
      if (runs.length === 0 && filter.namespace !== undefined && filter.namespace !== ADHOC_NAMESPACE) {
        if (filter.task === undefined) projects.list(filter.namespace);
        else tasks.requireTask(filter.namespace, filter.task);
      }
      return {runs};
    },
    'run.cancel': ({id}) => runner.cancel(id),
    'run.rerun': ({id}) => runner.rerun(id),
    'run.logs': async (params, call) => {
      let runId: string | null = params.id ?? null;
      if (runId === null) {
        const {namespace, task} = params;
        if (namespace === undefined || task === undefined) throw new CapsuleError('bad_request', 'run.logs: expected params.id, or params.namespace and params.task');
        tasks.requireTask(namespace, task);
        runId = runner.list({namespace, task, limit: 1})[0]?.id ?? null;
      } else {
        runner.get(runId);
      }
      if (runId === null) return {runId, lines: []};
      // Subscribed before the read (which may wait for the disk): a line logged meanwhile reaches
      // the caller twice, which it can tell by seq, rather than never.
      const topic = `run:${runId}`;
      if (params.follow) call.subscribe(topic);
      try {
        return {runId, lines: await runner.logs(runId, params.tail)};
      } catch (error) {
        if (params.follow) call.unsubscribe(topic);
        throw error;
      }
    },
  };
}
