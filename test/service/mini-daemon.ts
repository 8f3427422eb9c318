/** A daemon cut down to the agent methods, on a real socket: what an embedded agent talks to in these tests. */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {listen, type IpcServer} from '../../src/transport/ipc.js';
import {AGENT_ENVIRONMENT} from '../../src/protocol/agent-limits.js';
import {AgentHub} from '../../daemon/agent/agent-hub.js';
import {agentHandlers} from '../../daemon/agent/handlers.js';
import {EventBus} from '../../daemon/core/event-bus.js';
import type {Logger} from '../../daemon/core/logger.js';
import {RequestRouter} from '../../daemon/core/router.js';
import {FakeHost} from '../daemon/agent/fake-host.js';

const quiet: Logger = {debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined};

export class MiniDaemon {
  private server: IpcServer | null = null;

  private constructor(
    readonly dir: string,
    readonly hub: AgentHub,
    readonly host: FakeHost,
  ) {}

  /** `table`: the declaration of the one service, app/api. */
  static async start(table: Record<string, unknown> = {}): Promise<MiniDaemon> {
    // Short: unix socket paths are capped at 108 bytes.
    const dir = await mkdtemp(join(tmpdir(), 'cap-agent-'));
    const hub = new AgentHub(join(dir, 'd.sock'));
    const host = new FakeHost(table);
    hub.attach(host);
    const daemon = new MiniDaemon(dir, hub, host);
    await daemon.listen();
    return daemon;
  }

  get socket(): string {
    return join(this.dir, 'd.sock');
  }

  /** What the service process app/api finds in its environment. */
  env(): NodeJS.ProcessEnv {
    return {...this.hub.environment(), [AGENT_ENVIRONMENT.token]: this.host.launch!.token, [AGENT_ENVIRONMENT.service]: 'app/api'};
  }

  async listen(): Promise<void> {
    const router = new RequestRouter(agentHandlers(this.hub), new EventBus(), quiet, 'test');
    this.server = await listen(this.socket, {
      onOpen: (connection) => router.onOpen(connection),
      onMessage: (connection, line) => router.onMessage(connection, line),
      onClose: (connection) => {
        router.onClose(connection);
        this.hub.disconnected(connection.id);
      },
      onProtocolError: (connection, error) => router.onProtocolError(connection, error),
    });
  }

  /** Closes the socket and every connection, as a daemon that dies does. */
  async drop(): Promise<void> {
    await this.server?.close();
    this.server = null;
  }

  async close(): Promise<void> {
    await this.drop();
    this.hub.close();
    await rm(this.dir, {recursive: true, force: true});
  }
}
