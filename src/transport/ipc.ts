/**
 * The only module that touches node-ipc. Everything else sees `IpcServer` / `IpcConnection`
 * and whole decoded messages. node-ipc runs in raw-buffer mode with our own newline framing:
 * its built-in JSON framing throws on malformed input (which would crash the daemon) and
 * buffers without a size cap.
 */
import {IPCModule} from 'node-ipc';
import type {Socket} from 'node:net';
import {CapsuleError} from '../lib/errors.js';
import {MAX_MESSAGE_BYTES} from '../protocol/wire.js';
import {LineDecoder, encodeLine} from './framing.js';

function quietIpc(): InstanceType<typeof IPCModule> {
  const ipc = new IPCModule();
  Object.assign(ipc.config, {
    silent: true,
    rawBuffer: true,
    encoding: 'utf8',
    // The daemon removes a stale socket itself, after it holds the start lock.
    unlink: false,
    maxConnections: 1024,
    maxRetries: 0,
    stopRetrying: true,
  });
  return ipc;
}

export interface ServerConnection {
  readonly id: number;
  send(message: unknown): void;
  /** Bytes written but not yet taken by the peer: a slow consumer shows here. */
  readonly bufferedBytes: number;
  close(): void;
  /**
   * Closes the connection with a last message that says why. What is already buffered goes
   * first, so the peer reads the reason after its backlog; a peer that stops reading
   * altogether is cut off after DROP_GRACE_MS, so its buffers are released either way.
   */
  drop(last: unknown): void;
}

export interface ServerCallbacks {
  onOpen(connection: ServerConnection): void;
  onMessage(connection: ServerConnection, line: string): void;
  onClose(connection: ServerConnection): void;
  /** A framing failure (an oversized or stalled message); the connection is dropped with the error. */
  onProtocolError(connection: ServerConnection, error: CapsuleError): void;
}

/**
 * Bytes held across all connections for messages whose newline has not arrived. One message
 * may be MAX_MESSAGE_BYTES; without a total, many connections each sending most of one would
 * hold that many times over.
 */
export const MAX_TOTAL_PENDING_BYTES = 4 * MAX_MESSAGE_BYTES;
/** A message begun but not finished for this long is a stalled (or hostile) peer, not a slow one: a local socket moves 16 MiB in well under a second. */
export const STALLED_MESSAGE_MS = 30_000;
/** How long a dropped connection may take to read its backlog and the reason. */
export const DROP_GRACE_MS = 5_000;

export interface IpcServer {
  /** Accepts no more connections; the open ones stay (a daemon that stops still tells its clients how). */
  stopListening(): void;
  /** Closes one connection, once what is written to it is sent. */
  closeConnection(id: number): void;
  /** Closes every connection, once what is written to it is sent, and stops listening. */
  close(): Promise<void>;
}

/** Listens on a unix socket. Resolves once listening; rejects with the listen error (EADDRINUSE, EACCES, ...). */
export function listen(socketPath: string, callbacks: ServerCallbacks, {stalledMessageMs = STALLED_MESSAGE_MS} = {}): Promise<IpcServer> {
  const ipc = quietIpc();
  const connections = new Map<Socket, ServerConnection & {decoder: LineDecoder; dropped: boolean; watchPending(): void}>();
  let nextId = 1;
  let totalPending = 0;

  return new Promise((resolve, reject) => {
    let listening = false;
    ipc.serve(socketPath, () => {
      listening = true;
      const server = ipc.server as unknown as {server: import('node:net').Server};
      // Settles once the listener is closed and the last connection has ended.
      let closed: Promise<void> | null = null;
      const stopListening = () => (closed ??= new Promise<void>((done) => server.server.close(() => done())));
      resolve({
        stopListening: () => void stopListening(),
        closeConnection: (id) => {
          for (const connection of connections.values()) if (connection.id === id) connection.close();
        },
        close: () => {
          const done = stopListening();
          for (const connection of connections.values()) connection.close();
          return done;
        },
      });
    });
    const server = ipc.server as unknown as {on(event: string, listener: (...args: never[]) => void): void};
    server.on('error', (error: Error) => {
      if (!listening) reject(error);
    });
    server.on('connect', (socket: Socket) => {
      const sender = corkedSender(socket);
      let stalled: NodeJS.Timeout | undefined;
      const connection = {
        id: nextId++,
        decoder: new LineDecoder(MAX_MESSAGE_BYTES),
        dropped: false,
        send: (message: unknown) => {
          if (!connection.dropped) sender.send(message);
        },
        get bufferedBytes() {
          return socket.writableLength;
        },
        close() {
          clearTimeout(stalled);
          sender.flush();
          socket.destroy();
        },
        drop(last: unknown) {
          if (connection.dropped) return;
          sender.send(last);
          connection.dropped = true;
          clearTimeout(stalled);
          sender.flush();
          socket.end();
          setTimeout(() => socket.destroy(), DROP_GRACE_MS).unref();
        },
        /** Arms or clears the stall timer as a message begins or ends. */
        watchPending() {
          if (connection.decoder.pendingBytes === 0) {
            clearTimeout(stalled);
            stalled = undefined;
          } else {
            stalled ??= setTimeout(() => {
              const error = new CapsuleError('bad_request', `a message was begun but not finished within ${stalledMessageMs / 1000} s`, {hint: 'end every message with a newline'});
              callbacks.onProtocolError(connection, error);
            }, stalledMessageMs).unref();
          }
        },
      };
      connections.set(socket, connection);
      callbacks.onOpen(connection);
    });
    server.on('data', (data: Buffer, socket: Socket) => {
      const connection = connections.get(socket);
      if (!connection || connection.dropped) return;
      const before = connection.decoder.pendingBytes;
      let lines: string[];
      try {
        lines = connection.decoder.push(data);
      } catch (error) {
        totalPending -= before;
        callbacks.onProtocolError(connection, error as CapsuleError);
        return;
      }
      totalPending += connection.decoder.pendingBytes - before;
      if (totalPending > MAX_TOTAL_PENDING_BYTES) {
        const error = new CapsuleError('message_too_large', `the daemon already holds ${MAX_TOTAL_PENDING_BYTES} bytes of unfinished messages from its connections`, {hint: 'send smaller messages, or fewer at once'});
        callbacks.onProtocolError(connection, error);
        return;
      }
      connection.watchPending();
      for (const line of lines) callbacks.onMessage(connection, line);
    });
    server.on('socket.disconnected', (socket: Socket) => {
      const connection = connections.get(socket);
      if (!connection) return;
      connections.delete(socket);
      totalPending -= connection.decoder.pendingBytes;
      connection.close();
      callbacks.onClose(connection);
    });
    ipc.server.start();
  });
}

export interface ClientConnection {
  send(message: unknown): void;
  /** Whether the open connection keeps the process alive (it does by default). */
  setKeepAlive(keep: boolean): void;
  close(): void;
}

export interface ClientCallbacks {
  onMessage(line: string): void;
  onClose(error?: Error): void;
}

interface CorkedSender {
  send(message: unknown): void;
  /** Writes what is corked now (before the socket closes). */
  flush(): void;
}

/**
 * Writes messages, batching every message sent in one turn of the event loop into one write:
 * a burst of replies or events then costs one system call (and one wake-up of the peer), not
 * one each. The batch is written in the loop's check phase, after every I/O callback of the
 * turn has had its say.
 */
function corkedSender(socket: Socket): CorkedSender {
  let corked = false;
  const flush = () => {
    if (!corked) return;
    corked = false;
    socket.uncork();
  };
  return {
    send(message) {
      if (socket.destroyed) return;
      if (!corked) {
        corked = true;
        socket.cork();
        setImmediate(flush);
      }
      socket.write(encodeLine(message));
    },
    flush,
  };
}

let clientSequence = 0;

/** Connects to a unix socket; rejects with the connect error (ENOENT, ECONNREFUSED) if nobody answers. */
export function connectSocket(socketPath: string, callbacks: ClientCallbacks): Promise<ClientConnection> {
  const ipc = quietIpc();
  const id = `capsule-${process.pid}-${++clientSequence}`;
  const decoder = new LineDecoder(MAX_MESSAGE_BYTES);
  return new Promise((resolve, reject) => {
    let connected = false;
    let closed = false;
    let lastError: Error | undefined;
    ipc.connectTo(id, socketPath, () => {
      const peer = ipc.of[id]!;
      let sender: CorkedSender | null = null;
      const finish = () => {
        if (closed) return;
        closed = true;
        sender?.flush();
        ipc.disconnect(id);
        if (connected) callbacks.onClose(lastError);
        else reject(lastError ?? new Error(`connection to ${socketPath} closed`));
      };
      peer.on('connect', () => {
        connected = true;
        if (peer.socket) sender = corkedSender(peer.socket);
        resolve({
          send: sender?.send ?? ((message) => peer.emit(encodeLine(message))),
          setKeepAlive: (keep) => {
            if (peer.socket) peer.socket[keep ? 'ref' : 'unref']();
          },
          close: finish,
        });
      });
      peer.on('error', (error: Error) => {
        lastError = error;
      });
      peer.on('disconnect', finish);
      peer.on('data', (data: Buffer) => {
        let lines: string[];
        try {
          lines = decoder.push(data);
        } catch (error) {
          lastError = error as Error;
          finish();
          return;
        }
        for (const line of lines) callbacks.onMessage(line);
      });
    });
  });
}
