import {ADHOC_NAMESPACE} from '../../src/config/adhoc-file.js';
import type {HandlerParams, MethodName} from '../../src/protocol/index.js';
import {isRunId, isSessionId} from '../../src/protocol/targets.js';

/**
 * What a request must wait for while the daemon's projects load at start-up: the one project it
 * names (by namespace, by directory, or through a run of it), every project (all services' logs),
 * or nothing (it reads what is stored, or lists what has loaded so far: the dashboard's first
 * frame must not wait for 500 projects, and `project.list` says which are still loading).
 */
export type LoadScope = {namespace: string} | {root: string} | {run: string} | 'all' | null;

type GatedMethod = Exclude<MethodName, 'hello' | 'subscribe' | 'unsubscribe'>;

const none = (): LoadScope => null;
const byNamespace = ({namespace}: {namespace: string}): LoadScope => ({namespace});
const byRun = ({id}: {id: string}): LoadScope => ({run: id});
/** `ns/name` or `ns`: the project part. */
const ofTarget = (target: string): LoadScope => (isRunId(target) ? {run: target} : isSessionId(target) ? null : {namespace: target.split('/')[0]!});

/**
 * One entry per method, so a new method is a compile error until someone decides what it waits for.
 * A run is read (get, steps, logs by id) as it is stored; what changes a run (cancel, signal, ...) or
 * waits for its end acts on its project's runner state, which recovery sets once that project loaded.
 */
const SCOPES: {[M in GatedMethod]: (params: HandlerParams<M>) => LoadScope} = {
  'daemon.status': none,
  'daemon.stop': none,
  'project.add': ({root}) => ({root}),
  'project.remove': (target) => target,
  'project.reload': (target) => target,
  // Without a namespace: every project, those loading listed as `loading`.
  'project.list': ({namespace}) => (namespace === undefined ? null : {namespace}),
  // Typed in a project's directory: that project; elsewhere, every project, or a name would be missed.
  'project.resolve': ({root}) => (root === undefined ? 'all' : {root}),
  'run.submit': ({target}) => ('file' in target ? null : {namespace: target.namespace}),
  'run.get': none,
  'run.steps': none,
  'run.list': none,
  'run.logs': (params) => (params.id !== undefined ? null : params.namespace === undefined ? null : {namespace: params.namespace}),
  'run.signal': byRun,
  'run.answer': byRun,
  'run.wait': byRun,
  'run.cancel': byRun,
  'run.rerun': byRun,
  'schedule.list': ({namespace}) => (namespace === undefined ? null : {namespace}),
  'schedule.pause': byNamespace,
  'schedule.resume': byNamespace,
  'schedule.trigger': byNamespace,
  'schedule.next': byNamespace,
  'service.list': ({namespace}) => (namespace === undefined ? null : {namespace}),
  'service.logs': ({namespace}) => (namespace === undefined ? 'all' : {namespace}),
  'service.start': byNamespace,
  'service.stop': byNamespace,
  'service.restart': byNamespace,
  'service.scale': byNamespace,
  'service.reload': byNamespace,
  'service.config.list': byNamespace,
  'service.config.get': byNamespace,
  'service.config.set': byNamespace,
  'service.config.unset': byNamespace,
  'service.logs.flush': byNamespace,
  'service.action': byNamespace,
  'service.token': byNamespace,
  'service.create': () => ({namespace: ADHOC_NAMESPACE}),
  // A name the ad-hoc project lacks is looked for in every project, to point at the file that declares it.
  'service.delete': () => 'all',
  'service.describe': byNamespace,
  'audit.list': ({target}) => (target === undefined ? null : ofTarget(target)),
  'control.apply': ({target}) => ofTarget(target),
  'agent.register': ({service}) => ofTarget(service),
  'agent.next': none,
  'agent.reply': none,
  'agent.output': none,
  'agent.heartbeat': none,
  'agent.status': byNamespace,
  // A session opened for a project needs its definition (directory, sandbox policy); the rest are the session's own.
  'session.new': ({project}) => (project === undefined ? null : {namespace: project}),
  'session.list': none,
  'session.close': none,
  'session.execute': none,
  'session.input': none,
  'session.interrupt': none,
  'session.complete': none,
  'nodes.list': none,
};

export function loadScope<M extends GatedMethod>(method: M, params: HandlerParams<M>): LoadScope {
  return SCOPES[method](params);
}

/** What the gate asks of the projects: the registry's waits. */
export interface LoadingProjects {
  loaded(namespace: string): Promise<void>;
  loadedRoot(root: string): Promise<void>;
  allLoaded(): Promise<void>;
}

/**
 * The router's wait before a method while projects load: null (go on at once) for what concerns
 * no loading project. `runNamespace` finds a stored run's project (null: no such run, which the
 * handler then reports). `done()` turns it off once everything has loaded, so a burst pays nothing.
 */
export function startupGate(projects: LoadingProjects, runNamespace: (runId: string) => string | null): {gate: RequestGate; done(): void} {
  let loading = true;
  return {
    gate: (method, params) => {
      if (!loading) return null;
      const scope = loadScope(method, params);
      if (scope === null) return null;
      if (scope === 'all') return projects.allLoaded();
      if ('namespace' in scope) return projects.loaded(scope.namespace);
      if ('root' in scope) return projects.loadedRoot(scope.root);
      const namespace = runNamespace(scope.run);
      return namespace === null ? null : projects.loaded(namespace);
    },
    done: () => {
      loading = false;
    },
  };
}

/** Called by the router before each method's handler: a promise to wait for, or null to go on. */
export type RequestGate = <M extends GatedMethod>(method: M, params: HandlerParams<M>) => Promise<void> | null;
