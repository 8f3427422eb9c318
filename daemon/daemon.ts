import {resolve} from 'node:path';
import {availableParallelism, hostname} from 'node:os';
import {listen, type IpcServer} from '../src/transport/ipc.js';
import {CAPSULE_VERSION} from '../src/lib/version.js';
import {parseDuration} from '../src/lib/duration.js';
import type {HomePaths} from '../src/lib/home.js';
import {CapsuleError} from '../src/lib/errors.js';
import {AgentHub} from './agent/agent-hub.js';
import {loadAgentKey} from './agent/agent-key.js';
import {agentHandlers} from './agent/handlers.js';
import {AuditLog} from './core/audit-log.js';
import {EventBus} from './core/event-bus.js';
import {claimHome, releaseHome} from './core/lifecycle.js';
import type {Logger} from './core/logger.js';
import {startupGate} from './core/load-gate.js';
import {RequestRouter, type PartialHandlerTable} from './core/router.js';
import {SecretBox} from './core/secret-box.js';
import {EMPTY_STATE, type DaemonState} from './core/state.js';
import {JsonStore} from './core/store.js';
import {createExecutor, discoverTasks, DiscoveryCache, sharedDiscoveryWorkers, type DiscoveryWorkers, type TaskExecutor} from './executor/index.js';
import {AdhocProject} from './adhoc/adhoc-project.js';
import {adhocHandlers} from './handlers/adhoc.js';
import {auditHandlers} from './handlers/audit.js';
import {controlHandlers} from './handlers/control.js';
import {daemonHandlers} from './handlers/daemon.js';
import {projectHandlers} from './handlers/projects.js';
import {runHandlers} from './handlers/runs.js';
import {scheduleHandlers} from './handlers/schedules.js';
import {serviceHandlers} from './handlers/services.js';
import {sessionHandlers} from './handlers/sessions.js';
import {SessionManager} from './sessions/session-manager.js';
import {distFile} from '../src/lib/package-root.js';
import {dirname} from 'node:path';
import {SchedulesPlugin} from './plugins/schedules.js';
import {ServicesPlugin} from './plugins/services.js';
import {TasksPlugin} from './plugins/tasks.js';
import {ProjectRegistry} from './projects/registry.js';
import {ProjectWatcher} from './projects/watcher.js';
import {systemClock} from './core/clock.js';
import {RunStore, type RunRetention} from './runner/run-store.js';
import {Runner} from './runner/runner.js';
import type {DaemonServices, ShutdownOptions} from './services.js';
import type {Executor} from './runner/executor-api.js';
import {probeSandbox, sandboxStatus} from './sandbox/availability.js';
import {loadDaemonConfig} from '../src/config/daemon-file.js';
import {hostNodeName, parseBackend} from '../src/config/backend.js';
import {joinCluster, type Cluster, type SharedExecutor} from './cluster/cluster.js';
import {localNode} from './cluster/node-registry.js';
import {remoteHandlers} from './handlers/remote.js';
import {RemoteAgents} from './remote/remote-agents.js';
import {RemoteControl} from './remote/remote-control.js';
import {RemoteTokens} from './remote/remote-tokens.js';
import type {SandboxStatus} from '../src/protocol/index.js';

/** Attempts a parent blocked on `ctx.submit(...).result()` may hold beyond maxParallel, so its children find a worker. */
const NESTED_ATTEMPT_HEADROOM = 64;
/** With a backend: this node's runs' attempts queued or running across the nodes at once, at most. */
const SHARED_ATTEMPTS_IN_FLIGHT = 1_000;

/** What `dist/daemon.js` was started with, beside daemon.toml. */
export interface DaemonStartOptions {
  /** `daemon start --backend URL`: this start's backend, over daemon.toml's. */
  backend?: string;
}

interface Parts {
  core: DaemonServices;
  state: JsonStore<DaemonState>;
  runStore: RunStore;
  executor: TaskExecutor;
  /** What runs the attempts: `executor`, or it shared with the other nodes (it closes `executor` then). */
  attempts: Executor;
  tasks: TasksPlugin;
  schedules: SchedulesPlugin;
  services: ServicesPlugin;
  agents: AgentHub;
  /** null: daemon.toml has no `listen`. */
  remoteAgents: RemoteAgents | null;
  sessions: SessionManager;
  discoveries: DiscoveryCache;
}

/** Run history limits from CAPSULE_RUN_HISTORY (runs kept per task) and CAPSULE_RUN_MAX_AGE (a duration). */
function runRetention(env: NodeJS.ProcessEnv): Partial<RunRetention> {
  const retention: Partial<RunRetention> = {};
  if (env.CAPSULE_RUN_HISTORY) retention.maxRunsPerTask = Number(env.CAPSULE_RUN_HISTORY);
  if (env.CAPSULE_RUN_MAX_AGE) retention.maxAgeMs = parseDuration(env.CAPSULE_RUN_MAX_AGE, 'CAPSULE_RUN_MAX_AGE');
  return retention;
}

/**
 * Owns every long-lived part of a running daemon and shuts them down in order. Wiring
 * only: the behaviour lives in the parts.
 */
export class Daemon {
  private server: IpcServer | null = null;
  private router: RequestRouter | null = null;
  private stopping: Promise<void> | null = null;
  /** Settles once the projects' first loads (and what follows them) ended: a stop cuts them short and waits for it. */
  private loading: Promise<void> = Promise.resolve();
  /** Aborts the discoveries under way when a stop comes while projects load. */
  private readonly loads = new AbortController();
  /** Every project has had its first load. */
  private loaded = false;
  private readonly watcher: ProjectWatcher;

  private constructor(
    private readonly parts: Parts,
    private readonly onStopped: () => void,
  ) {
    this.watcher = new ProjectWatcher((root) => parts.core.projects.reloadRoot(root));
  }

  static async start(paths: HomePaths, logger: Logger, onStopped: () => void, options: DaemonStartOptions = {}): Promise<Daemon> {
    const claim = claimHome(paths, logger);
    let cluster: Cluster | null = null;
    try {
      // First: a daemon.toml with a mistake stops the start, saying where, before anything runs.
      const settings = await loadDaemonConfig(paths.home);
      const backend = options.backend === undefined ? settings.cluster.backend : parseBackend(options.backend, '--backend');
      const state = await JsonStore.open<DaemonState>(paths.state, EMPTY_STATE);
      const bus = new EventBus();
      const audit = await AuditLog.open(paths.audit, (event) => bus.publish('audit.event', event));

      const maxParallel = Number(process.env.CAPSULE_MAX_PARALLEL) || availableParallelism();
      const sandbox = probeSandbox();
      let sandboxFound: SandboxStatus | null = null;
      void sandbox.then((found) => {
        sandboxFound = sandboxStatus(found);
        if (found.available) logger.info(`sandbox: ${sandboxFound.reason}`);
        else logger.warn(`sandboxed tasks cannot run here: ${found.reason}; ${found.hint}`);
      });
      const executor = createExecutor({
        maxParallel: maxParallel + NESTED_ATTEMPT_HEADROOM,
        onError: (error) => logger.error('task executor', error),
        sandbox: {availability: sandbox, socketDir: paths.sandboxSocketDir},
      });
      const runStore = await RunStore.open({
        file: paths.runs,
        logsDir: paths.runLogsDir,
        clock: systemClock,
        retention: runRetention(process.env),
        onWarning: (message) => logger.warn(message),
      });
      // Before any project loads: a backend out of reach, or this node's name taken, stops the start.
      // The runner takes the cluster's locks, and the node's heartbeat (from the join on) counts the runner's attempts.
      const made: {runner?: Runner; services?: ServicesPlugin; attempts?: SharedExecutor} = {};
      const node = localNode({
        // Alone, the host name as it is (a daemon is not refused over it); with a backend, as other nodes can call it.
        name: settings.cluster.node ?? (backend === null ? hostname() : hostNodeName()),
        leaseMs: settings.cluster.nodeLeaseMs,
        version: CAPSULE_VERSION,
        capacity: maxParallel,
        running: () => made.attempts?.executing() ?? made.runner?.running ?? 0,
        services: () => made.services?.list() ?? [],
      });
      cluster = await joinCluster(backend, node, logger);
      const attempts = (made.attempts = cluster.shareAttempts(executor, maxParallel));
      const runner = (made.runner = new Runner({
        executor: attempts.executor,
        store: runStore,
        clock: systemClock,
        // Shared, its attempts run on every node: as many may be under way as the nodes take (each takes maxParallel at once).
        maxParallel: backend === null ? maxParallel : SHARED_ATTEMPTS_IN_FLIGHT,
        sharedLocks: cluster.locks,
        onError: (error) => logger.error('runner', error),
      }));
      attempts.attach({task: (namespace, task) => runner.task(namespace, task), memo: (runId) => runner.memo(runId)});
      const {modules} = executor;
      const ref: {daemon?: Daemon; sessions?: SessionManager} = {};
      const discoveryTimeoutMs = process.env.CAPSULE_DISCOVERY_TIMEOUT ? parseDuration(process.env.CAPSULE_DISCOVERY_TIMEOUT, 'CAPSULE_DISCOVERY_TIMEOUT') : undefined;
      // Shared by the start-up's loads, one project after another in each thread; closed once they end, then each discovery runs alone.
      const startupDiscovery = sharedDiscoveryWorkers(availableParallelism());
      const discoveries = new DiscoveryCache({dir: paths.discoveryCacheDir, capsuleVersion: CAPSULE_VERSION, onWarning: (message) => logger.warn(message)});
      const tasks = new TasksPlugin(
        runner,
        {
          discover: async (root, entry, {cache, sandbox} = {}) =>
            discoverTasks(root, entry, {
              modules,
              workers: startupDiscovery,
              host: sandbox && (await executor.sandboxDiscovery(sandbox.namespace, {root: resolve(root), policy: sandbox.policy, ramBytes: sandbox.ramBytes})),
              timeoutMs: discoveryTimeoutMs,
              signal: ref.daemon?.loads.signal,
              cache: cache && {store: discoveries, reuse: cache === 'reuse'},
            }),
          forgetDiscovery: (root) => discoveries.forget(root),
          keep: (namespace, snapshot, options) => modules.keep(namespace, snapshot, options),
          forget: (namespace) => modules.forget(namespace),
          reload: () => executor.reload(),
          warmSandbox: (spec) => executor.warmSandbox(spec),
        },
        bus,
      );
      const schedules = new SchedulesPlugin(tasks, state, bus, audit, cluster.firesHere);
      cluster.keepSchedules((key) => schedules.scheduler.isArmed(key));
      // Read (or made on a first start) once: sealed secrets derive from it.
      const homeKey = await loadAgentKey(paths.agentKey);
      const secrets = new SecretBox(homeKey);
      const agents = new AgentHub(paths.socket);
      const auditAgent = (kind: string, target: string, details: Record<string, unknown>) => void audit.record({kind, target, details});
      const remoteAgents = settings.listen && settings.advertise ? await RemoteAgents.open({tlsDir: paths.tlsDir, listen: settings.listen, advertise: settings.advertise, hub: agents, audit: auditAgent}) : null;
      const remote = new RemoteControl(await RemoteTokens.open(paths.remoteTokens, secrets), remoteAgents, audit);
      const serviceManager = (made.services = new ServicesPlugin(paths, state, bus, audit, secrets, logger, agents, (namespace, name, token) => remote.checkToken(namespace, name, token)));
      await serviceManager.adopt();

      const projects = new ProjectRegistry({
        persisted: state.data.projects,
        persist: async (list) => {
          state.data.projects = list;
          await state.save();
        },
        // Order matters: tasks load first, so schedules declared in task() are known.
        plugins: [tasks, schedules, serviceManager],
        logger,
        onChange: (event, data) => {
          bus.publish(event, data);
          ref.daemon?.watchProjects();
        },
      });
      const services: DaemonServices = {
        version: CAPSULE_VERSION,
        startedAt: Date.now(),
        paths,
        logger,
        bus,
        audit,
        projects,
        sandbox: () => sandboxFound,
        cluster,
        sessions: () => ref.sessions?.counts() ?? {idle: 0, busy: 0, lost: 0},
        requestShutdown: (timeoutMs, options) => void ref.daemon?.stop(timeoutMs, options),
        // Runs get the timeout; services stop alongside, each within its own stop_timeout.
        shutdownWithinMs: (timeoutMs, options) => Math.max(timeoutMs, options?.leaveServices ? 0 : serviceManager.longestStopMs()),
      };
      const sessions = await SessionManager.open({
        paths,
        bus,
        audit,
        logger,
        projects,
        modules,
        sandbox,
        distDir: dirname(distFile('session-host.js')),
        settings: settings.sessions,
      });
      ref.sessions = sessions;
      const daemon = new Daemon({core: services, state, runStore, executor, attempts: attempts.executor, tasks, schedules, services: serviceManager, agents, remoteAgents, discoveries, sessions}, onStopped);
      ref.daemon = daemon;
      const handlers: PartialHandlerTable = {
        ...daemonHandlers(services),
        ...projectHandlers(services),
        ...auditHandlers(services, runner),
        ...runHandlers(tasks, projects),
        ...scheduleHandlers(schedules, audit, projects),
        ...serviceHandlers(serviceManager, projects, cluster),
        ...sessionHandlers(sessions),
        ...controlHandlers({projects, tasks, schedules, services: serviceManager, audit, cluster}),
        ...agentHandlers(agents),
        ...remoteHandlers(remote, serviceManager),
        ...adhocHandlers({adhoc: new AdhocProject(paths.home, projects, serviceManager), services: serviceManager, projects, audit}),
      };
      // Listed (as loading) before the socket opens: the first `list` shows every project.
      await projects.registerAll();
      const startup = startupGate(projects, (runId) => runStore.get(runId)?.namespace ?? null);
      const router = new RequestRouter(handlers, bus, logger, CAPSULE_VERSION, startup.gate);
      daemon.router = router;
      daemon.server = await listen(paths.socket, {
        onOpen: (connection) => router.onOpen(connection),
        onMessage: (connection, line) => router.onMessage(connection, line),
        onClose: (connection) => {
          router.onClose(connection);
          agents.disconnected(connection.id);
        },
        onProtocolError: (connection, error) => router.onProtocolError(connection, error),
      });
      claim.commit();
      logger.info(`daemon ${CAPSULE_VERSION} listening on ${paths.socket} (pid ${process.pid})`);
      // Armed before the projects load: each project's schedules are armed (and caught up) as it loads.
      await schedules.start();
      // The daemon answers from now on; a request about a project still loading waits for that one (load-gate.ts).
      daemon.loading = daemon.loadProjects(runner, serviceManager, discoveries, startupDiscovery).finally(() => startup.done());
      return daemon;
    } catch (error) {
      await cluster?.close();
      claim.abort();
      throw error;
    }
  }

  /**
   * The projects' first loads, `availableParallelism()` at a time. Each project's runs left
   * unfinished by the previous daemon are recovered as soon as its tasks are known, before a
   * request about it is let through; once all have loaded, the runs of projects that did not
   * (their tasks are gone), and the service processes no project declares any more.
   */
  private async loadProjects(runner: Runner, serviceManager: ServicesPlugin, discoveries: DiscoveryCache, startupDiscovery: DiscoveryWorkers): Promise<void> {
    const {logger, projects} = this.parts.core;
    const logRecovered = (recovered: Awaited<ReturnType<Runner['recover']>>, of: string) => {
      if (recovered.requeued + recovered.failed + recovered.cancelled + recovered.processesEnded > 0) logger.info(`recovered runs${of}: ${JSON.stringify(recovered)}`);
    };
    try {
      const started = Date.now();
      await projects.loadAll({
        parallel: availableParallelism(),
        settle: async (summary) => {
          if (summary.status === 'ok' && !this.stopping) logRecovered(await runner.recover(summary.namespace), ` of ${summary.namespace}`);
        },
      });
      await startupDiscovery.close();
      if (this.stopping) return;
      logger.info(`loaded ${projects.size} projects in ${Date.now() - started} ms`);
      await this.listenForRemoteAgents();
      const stale = await serviceManager.settleAdoption();
      if (stale.length > 0) logger.info(`stopped service processes no project declares any more: ${stale.join(', ')}`);
      logRecovered(await runner.recover(), '');
      // Bounded by the registered projects: a directory removed while no daemon ran leaves no file behind.
      await discoveries.prune(projects.watchList().map(({root}) => root));
      this.loaded = true;
      this.watchProjects();
    } catch (error) {
      logger.error('loading the projects', error);
    }
  }

  /** A port that cannot be opened (taken, not allowed) leaves the rest of the daemon working, and says so. */
  private async listenForRemoteAgents(): Promise<void> {
    const {remoteAgents, core} = this.parts;
    if (!remoteAgents) return;
    try {
      await remoteAgents.listen();
      const {host, port} = remoteAgents.address;
      core.logger.info(`remote agents: listening on ${core.paths.daemonConfig}'s listen, tokens lead to ${host}:${port} (certificate ${remoteAgents.fingerprint})`);
    } catch (error) {
      core.logger.error(`remote agents: cannot listen as ${core.paths.daemonConfig} asks; remote services stay disconnected`, error);
    }
  }

  /**
   * Graceful shutdown: stop accepting work, let running work finish up to `timeoutMs`, stop
   * everything owned (but services, with `leaveServices`: the next daemon adopts them), flush state.
   */
  stop(timeoutMs: number, options: ShutdownOptions = {}): Promise<void> {
    if (this.stopping === null) {
      // Loads under way end (their discoveries aborted), none starts: a stop does not wait for 500 projects.
      this.parts.core.projects.stopLoading();
      this.loads.abort();
      this.stopping = this.loading.then(() => this.shutDown(timeoutMs, options));
    }
    return this.stopping;
  }

  private async shutDown(timeoutMs: number, {leaveServices = false}: ShutdownOptions): Promise<void> {
    const {core, state, runStore, attempts, tasks, schedules, services, agents, remoteAgents, discoveries, sessions} = this.parts;
    const {logger, paths, projects, audit} = core;
    logger.info(`stopping (timeout ${timeoutMs}ms${leaveServices ? ', leaving services running' : ''})`);
    // Connected clients stay until the end: `capsule daemon stop` shows the runs it waits for
    // finish, a follower sees its run end. They may ask nothing more, and nobody new connects.
    this.server?.stopListening();
    // Except embedded agents': an agent whose connection closes registers again with the next
    // daemon, while one whose session is ended on an open connection takes itself for replaced.
    for (const id of agents.connectionIds()) this.server?.closeConnection(id);
    await remoteAgents?.close();
    this.router?.refuseRequests(new CapsuleError('conflict', `the daemon (pid ${process.pid}) is stopping`, {hint: 'start it again once it has stopped: `capsule daemon start`'}));
    agents.close();
    await this.watcher.close();
    await schedules.close();
    // Runs and services stop together: both honour the timeout in their own way.
    // A restart leaves sessions running, as it leaves services, for the next daemon to adopt.
    await Promise.all([tasks.runner.close(timeoutMs), services.close({leaveServices}), sessions.shutdown({leave: leaveServices})]);
    tasks.close();
    await attempts.close();
    // Discoveries stored in the background finish writing, or the next start discovers them again.
    await discoveries.settled();
    await runStore.close();
    await core.cluster.close();
    projects.close();
    await state.save();
    await audit.flush();
    await this.server?.close();
    releaseHome(paths);
    logger.info('stopped');
    this.onStopped();
  }

  private watchProjects(): void {
    // While projects load, each load would re-sync every watcher (quadratic in projects): once, after.
    if (this.stopping || !this.loaded) return;
    this.watcher.sync(this.parts.core.projects.watchList());
  }
}
