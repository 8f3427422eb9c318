/**
 * A remote service's agent's connection to the daemon: TLS to the address its token names, the
 * daemon's certificate checked against the fingerprint the token pins before a byte is sent
 * (the pin is the whole check: no CA, no host name), then the same request/reply lines as on the
 * daemon's socket. The surface is DaemonClient's, so AgentLink does not tell the two apart.
 */
import type {TLSSocket} from 'node:tls';
import {CapsuleError} from '../lib/errors.js';
import type {ErrorPayload} from '../lib/errors.js';
import type {MethodName, ParamsOf, ResultOf} from '../protocol/index.js';
import {formatAddress, parseAddress, type RemoteToken} from '../protocol/remote-token.js';
import {MAX_MESSAGE_BYTES, type Reply} from '../protocol/wire.js';
import {encodeLine, LineDecoder} from '../transport/framing.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** A dead route shows within this (plus the kernel's retries) rather than hours later. */
const TCP_KEEPALIVE_MS = 15_000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class RemoteChannel {
  readonly #socket: TLSSocket;
  readonly #pending = new Map<number, Pending>();
  readonly #closeListeners = new Set<(error?: Error) => void>();
  #nextId = 1;
  #closed = false;
  #closeReason: CapsuleError | null = null;

  private constructor(socket: TLSSocket) {
    this.#socket = socket;
    const decoder = new LineDecoder(MAX_MESSAGE_BYTES);
    socket.on('data', (chunk: Buffer) => {
      let lines: string[];
      try {
        lines = decoder.push(chunk);
      } catch (error) {
        this.#shutDown(error as Error);
        return;
      }
      for (const line of lines) this.#receive(line);
    });
    socket.on('error', (error) => this.#shutDown(error));
    socket.on('close', () => this.#shutDown());
  }

  /** `url`: "capsule://host:port", where to reach the daemon instead of the token's address (the pin still holds). */
  static async connect(token: RemoteToken, {url, timeoutMs = CONNECT_TIMEOUT_MS}: {url?: string | undefined; timeoutMs?: number} = {}): Promise<RemoteChannel> {
    const {host, port} = url === undefined ? token.address : parseUrl(url);
    const where = formatAddress({host, port});
    // Loaded here: a local service's agent (and every bundle's start) does without TLS.
    const {connect} = await import('node:tls');
    return new Promise((resolve, reject) => {
      const socket = connect({host, port, rejectUnauthorized: false, minVersion: 'TLSv1.2', timeout: timeoutMs});
      const fail = (error: CapsuleError) => {
        socket.destroy();
        reject(error);
      };
      socket.once('timeout', () => fail(new CapsuleError('daemon_unreachable', `no TLS connection to the daemon at ${where} within ${timeoutMs / 1000} s`, {hint: 'check that the daemon runs with `listen` in its daemon.toml and that the port is reachable from here'})));
      socket.once('error', (error: NodeJS.ErrnoException) => {
        fail(new CapsuleError('daemon_unreachable', `cannot reach the daemon at ${where}: ${error.code ?? error.message}`, {hint: 'check that the daemon runs with `listen` in its daemon.toml and that the port is reachable from here', cause: error}));
      });
      socket.once('secureConnect', () => {
        const presented = socket.getPeerCertificate().fingerprint256;
        if (presented !== token.fingerprint) {
          fail(new CapsuleError('bad_request', `the daemon at ${where} presents certificate ${presented ?? '(none)'}, not ${token.fingerprint}, which the token pins`, {
            hint: "print the token again on the daemon's machine (`capsule service token NS/NAME`): a daemon whose certificate was made anew needs new tokens; otherwise something else answers at that address",
          }));
          return;
        }
        socket.setTimeout(0);
        socket.removeAllListeners('timeout');
        socket.removeAllListeners('error');
        socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
        resolve(new RemoteChannel(socket));
      });
    });
  }

  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.#closed) return Promise.reject(this.#closeReason ?? new CapsuleError('daemon_unreachable', 'the connection to the daemon is closed'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {resolve: resolve as (value: unknown) => void, reject});
      this.#socket.write(encodeLine({id, method, params}));
    });
  }

  onClose(listener: (error?: Error) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  setKeepAlive(keep: boolean): void {
    if (keep) this.#socket.ref();
    else this.#socket.unref();
  }

  close(): void {
    if (this.#closed) return;
    this.#socket.destroy();
    this.#shutDown();
  }

  #receive(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      return;
    }
    if (reply.id === null) {
      // The daemon says why it is about to close the connection.
      if (!reply.ok) this.#closeReason = CapsuleError.fromPayload(reply.error as ErrorPayload);
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(CapsuleError.fromPayload(reply.error as ErrorPayload));
  }

  #shutDown(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    const failure = this.#closeReason ?? new CapsuleError('daemon_unreachable', 'the daemon closed the connection', {cause: error});
    for (const pending of this.#pending.values()) pending.reject(failure);
    this.#pending.clear();
    for (const listener of this.#closeListeners) listener(this.#closeReason ?? error);
    this.#closeListeners.clear();
  }
}

function parseUrl(url: string): {host: string; port: number} {
  const address = url.startsWith('capsule://') ? parseAddress(url.slice('capsule://'.length).replace(/\/$/, '')) : null;
  if (address === null) throw new CapsuleError('bad_input', `expected the daemon's address as "capsule://host:port", got ${JSON.stringify(url)}`, {hint: 'or leave it out: the token names the daemon\'s address'});
  return address;
}
