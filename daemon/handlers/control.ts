import {CapsuleError, badInput} from '../../src/lib/errors.js';
import type {ControlResult, ControlVerb} from '../../src/protocol/index.js';
import {splitInstance} from '../../src/protocol/instances.js';
import {findItem, isRunId} from '../../src/protocol/targets.js';
import {ControlParams} from '../../src/protocol/control.js';
import type {Cluster} from '../cluster/cluster.js';
import type {AuditLog} from '../core/audit-log.js';
import type {HandlerTable} from '../core/router.js';
import type {SchedulesPlugin} from '../plugins/schedules.js';
import type {ServicesPlugin} from '../plugins/services.js';
import type {TasksPlugin} from '../plugins/tasks.js';
import type {ProjectRegistry} from '../projects/registry.js';

const PAST = {restart: 'restarted', stop: 'stopped', start: 'started'} as const;

/**
 * `capsule restart|stop|start TARGET`: works out what TARGET names (a run, a schedule, a
 * service, a whole namespace) and does the natural thing to it.
 */
export function controlHandlers(parts: {projects: ProjectRegistry; tasks: TasksPlugin; schedules: SchedulesPlugin; services: ServicesPlugin; audit: AuditLog; cluster: Cluster}): Pick<HandlerTable, 'control.apply'> {
  const {projects, tasks, schedules, services, audit, cluster} = parts;
  // Another node's `capsule restart NS/NAME@here`: done here, in its asker's name, and audited here as well as there.
  cluster.serve('control.apply', async (params, {actor}) => {
    const {verb, target} = ControlParams.parse(params);
    const result = await apply(verb, target, actor);
    audit.record({actor, kind: `control.${verb}`, target, details: {kind: result.kind, message: result.message}});
    return result;
  });
  return {
    'control.apply': async ({verb, target, node}, call) => {
      const elsewhere = node !== undefined && node !== cluster.node;
      const result = elsewhere ? onNode(node, (await cluster.call(node, 'control.apply', {verb, target}, call.actor)) as ControlResult) : await apply(verb, target, call.actor);
      // Who asked, and for what; the services' own events (service.stop, ...) record who asked too.
      audit.record({actor: call.actor, kind: `control.${verb}`, target: elsewhere ? `${target}@${node}` : target, details: {kind: result.kind, message: result.message}});
      return result;
    },
  };

  function onNode(node: string, result: ControlResult): ControlResult {
    return {...result, target: `${result.target}@${node}`, message: `${result.message} on node ${node}`};
  }

  /** The dependencies a start brought up with it (the supervisor starts idle ones first): the message names them. */
  function alsoStarted(namespace: string, service: string, idleBefore: Set<string>): string {
    const started = services.supervisor
      .snapshot(namespace)
      .filter((snapshot) => splitInstance(snapshot.name).service !== service && idleBefore.has(snapshot.name) && (snapshot.pid !== null || snapshot.state === 'starting'))
      .map((snapshot) => `${namespace}/${snapshot.name}${snapshot.pid ? ` (pid ${snapshot.pid})` : ''}`);
    return started.length === 0 ? '' : `; also started ${started.join(', ')}`;
  }

  async function apply(verb: ControlVerb, target: string, actor: string): Promise<ControlResult> {
    if (isRunId(target)) {
      if (verb === 'restart') {
        const run = await tasks.runner.rerun(target);
        return {kind: 'run', target, message: `re-ran ${target} as ${run.id}`, runId: run.id};
      }
      if (verb === 'stop') {
        await tasks.runner.cancel(target);
        return {kind: 'run', target, message: `cancelled ${target}`, runId: null};
      }
      throw badInput(`a run cannot be started again in place`, `re-run it with \`capsule restart ${target}\``);
    }

    const slash = target.indexOf('/');
    if (slash === -1) {
      projects.list(target);
      const summaries = (await services.supervisor[`${verb}Project`](target, actor)).map((snapshot) => services.summarize(snapshot));
      return {kind: 'namespace', target, message: `${PAST[verb]} ${summaries.length} service${summaries.length === 1 ? '' : 's'} of ${target}`, runId: null};
    }

    const namespace = target.slice(0, slash);
    const name = target.slice(slash + 1);
    const [project] = projects.list(namespace);
    const isService = services.has(namespace, splitInstance(name).service);
    if (isService && schedules.has(namespace, name)) {
      throw new CapsuleError('bad_input', `${target} names both a service and a schedule`, {
        hint: `use \`capsule schedule ${verb === 'stop' ? 'pause' : verb === 'start' ? 'resume' : 'trigger'} ${target}\` for the schedule`,
      });
    }
    const kind = findItem(project!, name, ['service', 'schedule', 'task']);
    if (kind === 'service') {
      const idleBefore = new Set(services.supervisor.snapshot(namespace).filter((snapshot) => snapshot.pid === null).map((snapshot) => snapshot.name));
      const snapshots = await services.supervisor[verb](namespace, name, actor);
      const each = snapshots.map((snapshot) => `${snapshots.length > 1 ? `${snapshot.name} ` : ''}${snapshot.state}${snapshot.pid ? `, pid ${snapshot.pid}` : ''}`);
      return {kind: 'service', target, message: `${PAST[verb]} ${target} (${each.join('; ')})${alsoStarted(namespace, splitInstance(name).service, idleBefore)}`, runId: null};
    }
    if (kind === 'schedule') {
      if (verb === 'restart') {
        const {runId} = await schedules.scheduler.trigger(namespace, name);
        return {kind: 'schedule', target, message: `triggered ${target}: run ${runId}`, runId};
      }
      if (verb === 'stop') await schedules.scheduler.pause(namespace, name);
      else await schedules.scheduler.resume(namespace, name);
      return {kind: 'schedule', target, message: `${verb === 'stop' ? 'paused' : 'resumed'} ${target}`, runId: null};
    }
    throw badInput(`${target} is a task: tasks run when submitted, they are not started or stopped`, `run it with \`capsule run ${target}\`, or cancel a run with \`capsule cancel RUN\``);
  }
}
