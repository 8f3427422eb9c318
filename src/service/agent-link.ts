/**
 * One registered connection from the agent to the daemon: it keeps a long poll (`agent.next`)
 * pending and hands each request over, and says once when the connection is gone.
 */
import {hostname} from 'node:os';
import {DaemonClient} from '../client/client.js';
import type {AgentActionInfo, AgentOutcome, AgentRegistration, AgentRequest, MethodName, ParamsOf, ResultOf} from '../protocol/index.js';
import {RemoteChannel} from './remote-channel.js';
import type {AgentIdentity} from './identity.js';
import type {Report} from './reports.js';

export interface Manifest {
  version: string | null;
  actions: AgentActionInfo[];
}

export interface LinkListener {
  request(request: AgentRequest, link: AgentLink): void;
  /**
   * Called once, when the connection closed (`replacedBy` null: worth reconnecting), or when the
   * daemon ended the session itself: another process registered as this service since.
   */
  lost(link: AgentLink, replacedBy: Error | null): void;
}

/** What a link talks through: the daemon's socket (DaemonClient), or a remote agent's TLS connection (RemoteChannel). */
export interface AgentChannel {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  onClose(listener: (error?: Error) => void): () => void;
  readonly isClosed: boolean;
  setKeepAlive(keep: boolean): void;
  close(): void;
}

export class AgentLink {
  private ended = false;

  private constructor(
    private readonly client: AgentChannel,
    readonly registration: AgentRegistration,
    private readonly listener: LinkListener,
  ) {}

  /** Connects and registers; rejects with the daemon's CapsuleError (or daemon_unreachable). */
  static async open(identity: AgentIdentity, manifest: Manifest, listener: LinkListener): Promise<AgentLink> {
    const client: AgentChannel = identity.kind === 'remote' ? await RemoteChannel.connect(identity.remote, {url: identity.url}) : await DaemonClient.connect({socket: identity.socket, home: identity.home});
    let registration: AgentRegistration;
    try {
      registration = await client.call('agent.register', {service: identity.service, token: identity.token, pid: process.pid, host: hostname(), version: manifest.version, actions: manifest.actions});
    } catch (error) {
      client.close();
      throw error;
    }
    // The service decides when it is done: an open connection to the daemon must not keep it running.
    client.setKeepAlive(false);
    const link = new AgentLink(client, registration, listener);
    client.onClose(() => link.end(null));
    void link.poll();
    return link;
  }

  get session(): string {
    return this.registration.session;
  }

  heartbeat(report: Report): Promise<unknown> {
    return this.client.call('agent.heartbeat', {session: this.session, ...report});
  }

  reply(id: string, outcome: AgentOutcome): Promise<unknown> {
    return this.client.call('agent.reply', {session: this.session, id, outcome});
  }

  /** Best effort: a line that cannot be sent is lost with the connection. */
  output(id: string, text: string): void {
    this.client.call('agent.output', {session: this.session, id, text}).catch(() => undefined);
  }

  /** Closes the connection; `lost` is not called for a link closed on purpose. */
  close(): void {
    this.ended = true;
    this.client.close();
  }

  private async poll(): Promise<void> {
    while (!this.ended) {
      let requests: AgentRequest[];
      try {
        ({requests} = await this.client.call('agent.next', {session: this.session}));
      } catch (error) {
        // An answer on an open connection means the daemon ended the session.
        const replacedBy = this.client.isClosed ? null : (error as Error);
        this.end(replacedBy);
        this.client.close();
        return;
      }
      for (const request of requests) this.listener.request(request, this);
    }
  }

  private end(replacedBy: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.listener.lost(this, replacedBy);
  }
}
