import {listen, type IpcServer} from '../src/client/ipc.js';
import {CLIENT_VERSION} from '../src/client/version.js';
import type {HomePaths} from '../src/lib/home.js';
import {AuditLog} from './core/audit-log.js';
import {EventBus} from './core/event-bus.js';
import {claimHome, releaseHome} from './core/lifecycle.js';
import type {Logger} from './core/logger.js';
import {Dispatcher, type PartialHandlerTable} from './core/server.js';
import {EMPTY_STATE, type DaemonState} from './core/state.js';
import {JsonStore} from './core/store.js';
import {auditHandlers} from './handlers/audit.js';
import {daemonHandlers} from './handlers/daemon.js';
import {projectHandlers} from './handlers/projects.js';
import {declaredItems} from './projects/declared.js';
import {ProjectRegistry} from './projects/registry.js';
import {ProjectWatcher} from './projects/watcher.js';
import type {DaemonServices} from './services.js';

/**
 * Owns every long-lived part of a running daemon and shuts them down in order. Wiring
 * only: the behaviour lives in the parts.
 */
export class Daemon {
  private server: IpcServer | null = null;
  private stopping: Promise<void> | null = null;
  private readonly watcher: ProjectWatcher;

  private constructor(
    private readonly services: DaemonServices,
    private readonly state: JsonStore<DaemonState>,
    private readonly onStopped: () => void,
  ) {
    this.watcher = new ProjectWatcher((root) => services.projects.reloadRoot(root));
  }

  static async start(paths: HomePaths, logger: Logger, onStopped: () => void): Promise<Daemon> {
    const claim = claimHome(paths, logger);
    try {
      const state = await JsonStore.open<DaemonState>(paths.state, EMPTY_STATE);
      const bus = new EventBus();
      const audit = await AuditLog.open(paths.audit, (event) => bus.publish('audit.event', event));
      // The registry reports changes before the Daemon exists; events from then on reach it.
      const ref: {daemon?: Daemon} = {};
      const projects = new ProjectRegistry({
        persisted: state.data.projects,
        persist: async (list) => {
          state.data.projects = list;
          await state.save();
        },
        plugins: [declaredItems],
        logger,
        onChange: (event, data) => {
          bus.publish(event, data);
          ref.daemon?.watchProjects();
        },
      });
      const services: DaemonServices = {
        version: CLIENT_VERSION,
        startedAt: Date.now(),
        paths,
        logger,
        bus,
        audit,
        projects,
        requestShutdown: (timeoutMs) => void ref.daemon?.stop(timeoutMs),
      };
      const daemon = new Daemon(services, state, onStopped);
      ref.daemon = daemon;
      const handlers: PartialHandlerTable = {...daemonHandlers(services), ...projectHandlers(services), ...auditHandlers(services)};
      const dispatcher = new Dispatcher(handlers, bus, logger, CLIENT_VERSION);
      daemon.server = await listen(paths.socket, {
        onMessage: (connection, line) => dispatcher.onMessage(connection, line),
        onClose: (connection) => dispatcher.onClose(connection),
        onProtocolError: (connection, error) => logger.warn(`closing connection ${connection.id}: ${error.message}`),
      });
      claim.commit();
      logger.info(`daemon ${CLIENT_VERSION} listening on ${paths.socket} (pid ${process.pid})`);
      await projects.loadAll();
      daemon.watchProjects();
      return daemon;
    } catch (error) {
      claim.abort();
      throw error;
    }
  }

  /** Graceful shutdown: stop accepting work, let running work finish up to `timeoutMs`, stop everything owned, flush state. */
  stop(timeoutMs: number): Promise<void> {
    this.stopping ??= this.shutDown(timeoutMs);
    return this.stopping;
  }

  private async shutDown(timeoutMs: number): Promise<void> {
    const {logger, paths, projects} = this.services;
    logger.info(`stopping (timeout ${timeoutMs}ms)`);
    await this.server?.close();
    await this.watcher.close();
    await projects.close();
    await this.state.save();
    await this.services.audit.flush();
    releaseHome(paths);
    logger.info('stopped');
    this.onStopped();
  }

  private watchProjects(): void {
    if (this.stopping) return;
    const {projects} = this.services;
    for (const summary of projects.list()) {
      const entry = summary.status === 'ok' ? projects.config(summary.namespace).project.entry : [];
      this.watcher.watch(summary.root, entry);
    }
  }
}
