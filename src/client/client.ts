import {CapsuleError, type ErrorPayload} from '../lib/errors.js';
import type {HomePaths} from '../lib/home.js';
import {PROTOCOL_VERSION, isReply, type EventArgs, type EventMessage, type MethodName, type ParamsOf, type Reply, type ResultOf} from '../protocol/index.js';
import {connectSocket, type ClientConnection} from '../transport/ipc.js';
import {CAPSULE_VERSION} from '../lib/version.js';

type Pending = {resolve(value: unknown): void; reject(error: Error): void};
/** `(event, data) => …`: checking `event` narrows `data` to that event's payload. */
export type EventListener = (...args: EventArgs) => void;

/**
 * A typed connection to the daemon: `call` sends a request and resolves with its result
 * (or rejects with the daemon's CapsuleError); `subscribe` delivers pushed events.
 */
export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<EventListener>();
  private readonly closeListeners = new Set<(error?: Error) => void>();
  private connection!: ClientConnection;
  private closed = false;
  /** Why the daemon closed this connection, when it said so (a follower dropped for reading too slowly). */
  closeReason: CapsuleError | null = null;
  daemonPid = 0;
  daemonVersion = '';

  private constructor(readonly socketPath: string) {}

  /**
   * Connects and performs the `hello` handshake. Rejects with `daemon_unreachable` if nobody
   * answers. `protocol`: another version than this client's, only to stop a daemon of that version.
   * `signal`: aborting it closes the connection, so a daemon that accepts and never answers is
   * given up on (rejecting with `daemon_unreachable`).
   */
  static async connect(paths: Pick<HomePaths, 'socket' | 'home'>, {protocol = PROTOCOL_VERSION, signal}: {protocol?: number; signal?: AbortSignal | undefined} = {}): Promise<DaemonClient> {
    const client = new DaemonClient(paths.socket);
    try {
      client.connection = await connectSocket(paths.socket, {
        onMessage: (line) => client.receive(line),
        onClose: (error) => client.shutDown(error),
      });
    } catch (error) {
      throw unreachable(paths, error);
    }
    const abort = () => client.close();
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, {once: true});
    try {
      const hello = await client.call('hello', {protocol, client: CAPSULE_VERSION} as ParamsOf<'hello'>);
      client.daemonPid = hello.pid;
      client.daemonVersion = hello.version;
    } catch (error) {
      client.close();
      throw error;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    return client;
  }

  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.closed) return Promise.reject(new CapsuleError('daemon_unreachable', 'the connection to the daemon is closed', {hint: 'run `capsule daemon status`'}));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {resolve: resolve as (value: unknown) => void, reject});
      this.connection.send({id, method, params});
    });
  }

  /** Subscribes to topics (`run`, `service`, `project`, `schedule`, `audit`, or a narrower `run:<id>`); events arrive on `onEvent` listeners. */
  async subscribe(topics: string[]): Promise<void> {
    await this.call('subscribe', {topics});
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /**
   * Whether this connection keeps the process alive (it does by default). A service's embedded
   * agent turns it off, so a service whose work is done still exits.
   */
  setKeepAlive(keep: boolean): void {
    if (!this.closed) this.connection.setKeepAlive(keep);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.connection.close();
    this.shutDown();
  }

  private receive(line: string): void {
    let message: Reply | EventMessage;
    try {
      message = JSON.parse(line) as Reply | EventMessage;
    } catch {
      return;
    }
    if (!isReply(message)) {
      // Events are built to their schemas (checked against them in the test suite), so the name types the data.
      const args = [message.event, message.data] as EventArgs;
      for (const listener of this.listeners) listener(...args);
      return;
    }
    if (message.id === null) {
      // A reply to no request: the daemon says why it is about to close the connection.
      if (!message.ok) this.closeReason = CapsuleError.fromPayload(message.error as ErrorPayload);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(CapsuleError.fromPayload(message.error as ErrorPayload));
  }

  private shutDown(error?: Error): void {
    if (this.closed && this.pending.size === 0) return;
    this.closed = true;
    const failure =
      this.closeReason ??
      new CapsuleError('daemon_unreachable', 'the daemon closed the connection', {
        hint: 'check `capsule daemon logs`, then `capsule daemon start`',
        cause: error,
      });
    for (const pending of this.pending.values()) pending.reject(failure);
    this.pending.clear();
    for (const listener of this.closeListeners) listener(this.closeReason ?? error);
    this.closeListeners.clear();
  }
}

function unreachable(paths: Pick<HomePaths, 'socket' | 'home'>, cause: unknown): CapsuleError {
  return new CapsuleError('daemon_unreachable', `no capsule daemon is answering on ${paths.socket}`, {
    hint: `start one with \`capsule daemon start\` (CAPSULE_HOME=${paths.home})`,
    cause,
  });
}
