/**
 * The TLS port remote agents connect to: newline-framed JSON as on the daemon's socket, with what
 * a port open to a network needs on top. Everything a peer can make the daemon hold is bounded
 * (a frame, all unfinished frames together, what it has not read), and every way of wasting the
 * daemon's time ends the connection: a handshake not finished, a frame not finished, silence. An
 * address that keeps failing (TLS errors, frames refused, tokens refused) is turned away before
 * any TLS work for the rest of the window.
 */
import type {Socket} from 'node:net';
import type {TLSSocket} from 'node:tls';
import {CapsuleError} from '../../src/lib/errors.js';
import {MAX_MESSAGE_BYTES} from '../../src/protocol/wire.js';
import {encodeLine, LineDecoder} from '../../src/transport/framing.js';

/** Remote peers' ids start here, so they never collide with the daemon socket's (which count from 1). */
export const REMOTE_CONNECTION_ID_BASE = 2 ** 40;
/** How long a dropped peer may take to read the reason before it is cut off. */
const DROP_GRACE_MS = 5_000;
/** Addresses whose failures are counted at once; the oldest window goes first beyond it. */
const MAX_TRACKED_ADDRESSES = 10_000;

export interface RemotePeer {
  readonly id: number;
  /** The peer's IP address as the socket sees it. */
  readonly address: string;
  send(message: unknown): void;
  /** Sends `last` (if given) after what is buffered and ends the connection; destroyed after a grace if the peer does not read. */
  drop(last?: unknown): void;
}

export interface ListenerCallbacks {
  /** After the TLS handshake. */
  onOpen(peer: RemotePeer): void;
  onMessage(peer: RemotePeer, line: string): void;
  onClose(peer: RemotePeer): void;
  /** An oversized, stalled or unreadable frame, a silent peer, a slow reader: the peer is dropped right after, told why. */
  onProtocolError(peer: RemotePeer, error: CapsuleError): void;
}

export interface ListenerOptions {
  host: string;
  /** 0: any free port (see AgentListener.port). */
  port: number;
  key: string;
  cert: string;
  /** @default MAX_MESSAGE_BYTES */
  maxMessageBytes?: number;
  /** @default 10_000 */
  handshakeTimeoutMs?: number;
  /** No byte received for this long: dropped (agents beat every 5 s at most). @default 60_000 */
  idleTimeoutMs?: number;
  /** @default 30_000 */
  stalledMessageMs?: number;
  /** Bytes sent to a peer and not read by it, past which it is dropped. @default 8 MiB */
  maxBufferedBytes?: number;
  /** @default {maxFailures: 1000, windowMs: 60_000} */
  throttle?: {maxFailures: number; windowMs: number};
  /** @default 1024 */
  maxConnections?: number;
}

export interface AgentListener {
  readonly port: number;
  /** The owner's verdict that a peer failed (a refused token): it counts toward its address's throttle. */
  recordFailure(address: string): void;
  isThrottled(address: string): boolean;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

interface Peer extends RemotePeer {
  socket: TLSSocket;
  decoder: LineDecoder;
  dropped: boolean;
  stalled: NodeJS.Timeout | undefined;
}

export async function listenTls(options: ListenerOptions, callbacks: ListenerCallbacks): Promise<AgentListener> {
  // Loaded here: a daemon without `listen` does without TLS.
  const {createServer} = await import('node:tls');
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const stalledMessageMs = options.stalledMessageMs ?? 30_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const maxTotalPending = 4 * maxMessageBytes;
  const failures = new FailureWindow(options.throttle ?? {maxFailures: 1000, windowMs: 60_000});
  const peers = new Set<Peer>();
  let nextId = REMOTE_CONNECTION_ID_BASE;
  let totalPending = 0;

  const server = createServer({key: options.key, cert: options.cert, minVersion: 'TLSv1.2', handshakeTimeout: options.handshakeTimeoutMs ?? 10_000});
  server.maxConnections = options.maxConnections ?? 1024;

  // Before any TLS work: a throttled address costs an accept and a close.
  server.on('connection', (socket: Socket) => {
    if (failures.throttled(socket.remoteAddress ?? '')) socket.destroy();
  });
  server.on('tlsClientError', (_error, socket) => {
    failures.add(socket.remoteAddress ?? '');
    socket.destroy();
  });

  server.on('secureConnection', (socket: TLSSocket) => {
    const address = socket.remoteAddress ?? '';
    let corked = false;
    const peer: Peer = {
      id: nextId++,
      address,
      socket,
      decoder: new LineDecoder(maxMessageBytes),
      dropped: false,
      stalled: undefined,
      send(message) {
        if (peer.dropped || socket.destroyed) return;
        if (!corked) {
          corked = true;
          socket.cork();
          setImmediate(() => {
            corked = false;
            socket.uncork();
          });
        }
        socket.write(encodeLine(message));
        if (socket.writableLength > maxBufferedBytes) fail(new CapsuleError('bad_request', `the peer did not read ${socket.writableLength} bytes sent to it`, {hint: 'read what the daemon sends'}));
      },
      drop(last) {
        if (peer.dropped) return;
        if (last !== undefined && !socket.destroyed) socket.write(encodeLine(last));
        peer.dropped = true;
        clearTimeout(peer.stalled);
        socket.end();
        setTimeout(() => socket.destroy(), DROP_GRACE_MS).unref();
      },
    };
    const fail = (error: CapsuleError) => {
      if (peer.dropped) return;
      failures.add(address);
      callbacks.onProtocolError(peer, error);
      peer.drop({id: null, ok: false, error: error.toPayload()});
    };
    peers.add(peer);
    socket.setTimeout(idleTimeoutMs, () => fail(new CapsuleError('bad_request', `nothing received for ${idleTimeoutMs / 1000} s`, {hint: 'an agent beats at least every 5 s'})));
    socket.on('data', (chunk: Buffer) => {
      if (peer.dropped) return;
      const before = peer.decoder.pendingBytes;
      let lines: string[];
      try {
        lines = peer.decoder.push(chunk);
      } catch (error) {
        totalPending -= before;
        fail(error as CapsuleError);
        return;
      }
      totalPending += peer.decoder.pendingBytes - before;
      if (totalPending > maxTotalPending) {
        fail(new CapsuleError('message_too_large', `the daemon already holds ${maxTotalPending} bytes of unfinished messages from remote agents`, {hint: 'send smaller messages'}));
        return;
      }
      if (peer.decoder.pendingBytes === 0) {
        clearTimeout(peer.stalled);
        peer.stalled = undefined;
      } else {
        peer.stalled ??= setTimeout(() => fail(new CapsuleError('bad_request', `a message was begun but not finished within ${stalledMessageMs / 1000} s`, {hint: 'end every message with a newline'})), stalledMessageMs).unref();
      }
      for (const line of lines) if (!peer.dropped) callbacks.onMessage(peer, line);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      peers.delete(peer);
      totalPending -= peer.decoder.pendingBytes;
      clearTimeout(peer.stalled);
      peer.dropped = true;
      callbacks.onClose(peer);
    });
    callbacks.onOpen(peer);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      const bound = server.address();
      resolve({
        port: typeof bound === 'object' && bound !== null ? bound.port : options.port,
        recordFailure: (address) => failures.add(address),
        isThrottled: (address) => failures.throttled(address),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const peer of peers) peer.socket.destroy();
          }),
      });
    });
  });
}

/** Failures per address within a fixed window that starts at its first failure. */
class FailureWindow {
  readonly #windows = new Map<string, {from: number; count: number}>();

  constructor(private readonly limits: {maxFailures: number; windowMs: number}) {}

  add(address: string): void {
    const now = Date.now();
    const window = this.#current(address, now);
    if (window) window.count++;
    else {
      if (this.#windows.size >= MAX_TRACKED_ADDRESSES) this.#windows.delete(this.#windows.keys().next().value!);
      this.#windows.set(address, {from: now, count: 1});
    }
  }

  throttled(address: string): boolean {
    return (this.#current(address, Date.now())?.count ?? 0) >= this.limits.maxFailures;
  }

  #current(address: string, now: number): {from: number; count: number} | undefined {
    const window = this.#windows.get(address);
    if (window && now - window.from >= this.limits.windowMs) {
      this.#windows.delete(address);
      return undefined;
    }
    return window;
  }
}
