/**
 * The daemon as control plane for services on other machines: the TLS port of daemon.toml's
 * `listen`, on which remote agents speak the agent contract, and nothing else of the protocol.
 * A connection must register first, with its service's token; until then, and for a peer whose
 * token is refused, nothing reaches the hub. Each refusal is audited with the peer's address and
 * counts toward its throttle (agent-listener.ts).
 */
import type {HostPort} from '../../src/config/daemon-file.js';
import {checkParams} from '../../src/protocol/check.js';
import {CapsuleError, toCapsuleError} from '../../src/lib/errors.js';
import {formatRemoteToken} from '../../src/protocol/remote-token.js';
import type {AgentHub} from '../agent/agent-hub.js';
import {listenTls, type AgentListener, type RemotePeer} from './agent-listener.js';
import {loadOrCreateCertificate, type DaemonCertificate} from './certificate.js';

/** What a remote agent may call: the agent contract, without `agent.status` (a question of the CLI's). */
const REMOTE_METHODS = new Set(['agent.register', 'agent.next', 'agent.reply', 'agent.output', 'agent.heartbeat'] as const);
type RemoteMethod = typeof REMOTE_METHODS extends Set<infer M> ? M : never;

export interface RemoteAgentsOptions {
  /** Where the certificate is kept (HomePaths.tlsDir). */
  tlsDir: string;
  listen: HostPort;
  /** The address written into tokens. */
  advertise: HostPort;
  hub: AgentHub;
  audit(kind: string, target: string, details: Record<string, unknown>): void;
}

interface PeerState {
  peer: RemotePeer;
  /** The service it registered as; null until then. */
  service: string | null;
  /** The service it asked to register as, for the audit of a refusal. */
  claimed: string | null;
  /** Settles once its registration is decided: a call sent right behind it waits for that, rather than being refused. */
  registering: Promise<void> | null;
  /** Refused and dropped: what it sent after is passed over. */
  refused: boolean;
}

export class RemoteAgents {
  readonly #peers = new Map<number, PeerState>();
  readonly #certificate: DaemonCertificate;
  #listener: AgentListener | null = null;

  private constructor(
    private readonly options: RemoteAgentsOptions,
    certificate: DaemonCertificate,
  ) {
    this.#certificate = certificate;
  }

  /** SHA-256 of the daemon's certificate, which every token pins. */
  get fingerprint(): string {
    return this.#certificate.fingerprint;
  }

  /** Reads the daemon's certificate, or makes it on a first start: tokens can be issued from now on. */
  static async open(options: RemoteAgentsOptions): Promise<RemoteAgents> {
    const certificate = await loadOrCreateCertificate(options.tlsDir, options.advertise.host);
    return new RemoteAgents(options, certificate);
  }

  /**
   * Opens the port. Called once every project has loaded: an agent reconnecting to a restarted
   * daemon would otherwise be refused for a service not declared yet.
   */
  async listen(): Promise<void> {
    const {listen, hub, audit} = this.options;
    this.#listener = await listenTls(
      {host: listen.host, port: listen.port, key: this.#certificate.key, cert: this.#certificate.cert},
      {
        onOpen: (peer) => this.#peers.set(peer.id, {peer, service: null, claimed: null, registering: null, refused: false}),
        onMessage: (peer, line) => void this.#handle(peer, line),
        onClose: (peer) => {
          this.#peers.delete(peer.id);
          hub.disconnected(peer.id);
        },
        onProtocolError: (peer, error) => audit('agent.refused', this.#peers.get(peer.id)?.claimed ?? '-', {address: peer.address, reason: error.message}),
      },
    );
  }

  /** Where agents connect (the bound port, when `listen` asked for port 0). */
  get address(): HostPort {
    const port = this.options.advertise.port === 0 ? (this.#listener?.port ?? 0) : this.options.advertise.port;
    return {host: this.options.advertise.host, port};
  }

  /** The token string an agent of `service` is given, carrying `secret`. */
  tokenFor(service: string, secret: string): string {
    return formatRemoteToken({address: this.address, fingerprint: this.fingerprint, service, secret});
  }

  /** Ends the service's agent session and closes its connection (its token was revoked or rotated). */
  disconnect(namespace: string, name: string, reason: string): void {
    const connectionId = this.options.hub.disconnect(namespace, name, reason);
    const state = connectionId === undefined ? undefined : this.#peers.get(connectionId);
    state?.peer.drop({id: null, ok: false, error: {code: 'bad_request', message: `disconnected: ${reason}`}});
  }

  async close(): Promise<void> {
    await this.#listener?.close();
    this.#listener = null;
  }

  async #handle(peer: RemotePeer, line: string): Promise<void> {
    const state = this.#peers.get(peer.id);
    if (!state || state.refused) return;
    let id: number | null = null;
    try {
      const request = parseRequest(line);
      id = request.id;
      const result = await this.#call(state, request.method, request.params);
      peer.send({id, ok: true, result});
    } catch (error) {
      const failure = toCapsuleError(error);
      peer.send({id, ok: false, error: failure.toPayload()});
      // A peer that has not registered gets one try per connection: a refusal ends it.
      if (state.service === null) this.#refuse(state, failure);
    }
  }

  async #call(state: PeerState, method: RemoteMethod, params: unknown): Promise<unknown> {
    const {hub} = this.options;
    const {peer} = state;
    if (method === 'agent.register') {
      if (state.registering !== null) throw new CapsuleError('conflict', `this connection already registered ${state.claimed}`, {hint: 'one connection carries one agent'});
      const checked = checkParams(method, params);
      state.claimed = checked.service;
      const registered = hub.register(peer.id, checked, {address: peer.address}).then((registration) => {
        state.service = checked.service;
        return registration;
      });
      state.registering = registered.then(
        () => undefined,
        () => undefined,
      );
      return registered;
    }
    await state.registering;
    if (state.service === null) throw new CapsuleError('bad_request', `${method} before agent.register: a remote agent registers first, with its service's token`);
    switch (method) {
      case 'agent.next': {
        const {session} = checkParams(method, params);
        return hub.session(session, peer.id).next().then((requests) => ({requests}));
      }
      case 'agent.reply': {
        const {session, id, outcome} = checkParams(method, params);
        return {accepted: hub.session(session, peer.id).reply(id, outcome)};
      }
      case 'agent.output': {
        const {session, id, text} = checkParams(method, params);
        return {accepted: hub.session(session, peer.id).output(id, text)};
      }
      case 'agent.heartbeat': {
        const {session, health, metrics} = checkParams(method, params);
        hub.heartbeat(hub.session(session, peer.id), health, metrics);
        return {accepted: true};
      }
    }
  }

  #refuse(state: PeerState, failure: CapsuleError): void {
    if (state.refused) return;
    state.refused = true;
    const {peer} = state;
    this.options.audit('agent.refused', state.claimed ?? '-', {address: peer.address, code: failure.code, reason: failure.message});
    this.#listener?.recordFailure(peer.address);
    peer.drop();
  }
}

function parseRequest(line: string): {id: number; method: RemoteMethod; params: unknown} {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    throw new CapsuleError('bad_request', 'expected a JSON message {id, method, params}, got text that is not JSON');
  }
  const {id, method, params} = (message ?? {}) as {id?: unknown; method?: unknown; params?: unknown};
  if (typeof id !== 'number' || typeof method !== 'string') throw new CapsuleError('bad_request', 'expected a message {id: number, method: string, params}');
  if (!REMOTE_METHODS.has(method as RemoteMethod)) {
    throw new CapsuleError('bad_request', `a remote agent may call only ${[...REMOTE_METHODS].join(', ')}; ${JSON.stringify(method)} is not one`, {hint: 'the CLI protocol is served on the daemon\'s own socket only'});
  }
  return {id, method: method as RemoteMethod, params: params ?? {}};
}

