import {MessageChannel, type MessagePort} from 'node:worker_threads';
import type {WorkerMessage} from '../worker/protocol.js';

type Handler = (message: WorkerMessage, port: MessagePort) => void;

/**
 * The message channels of one thread pool's workers. A MessagePort made, transferred and
 * closed for every attempt costs more CPU than tinypool's whole task hand-over, so a worker
 * keeps the first port it is given as its lasting channel (tinypool offers none of its own, and
 * its workers take any other message on their parentPort for a protocol error). Attempts then
 * travel without a port, and messages find their attempt by its token. An attempt that may land
 * on a worker without a channel (one booting, or the pool about to grow) still brings its own.
 */
export class ThreadChannels {
  readonly #byThread = new Map<number, MessagePort>();
  readonly #attempts = new Map<string, Handler>();

  /** Whether an attempt, one of `attempts` the pool now holds, must bring a port of its own. */
  needsPort(threadIds: readonly number[], attempts: number): boolean {
    for (const [threadId, port] of this.#byThread) {
      if (threadIds.includes(threadId)) continue;
      port.close();
      this.#byThread.delete(threadId);
    }
    return threadIds.length < attempts || threadIds.some((threadId) => !this.#byThread.has(threadId));
  }

  /** A channel for one attempt: `worker` goes in the payload, `main` stays here. */
  open(): {main: MessagePort; worker: MessagePort} {
    const {port1, port2} = new MessageChannel();
    port1.on('message', (message: unknown) => this.#deliver(message, port1));
    return {main: port1, worker: port2};
  }

  /** The worker kept the port it was given: it outlives the attempt as that worker's channel. */
  adopt(threadId: number, port: MessagePort): void {
    const previous = this.#byThread.get(threadId);
    if (previous !== undefined && previous !== port) previous.close();
    this.#byThread.set(threadId, port);
    // Between attempts nothing waits on it; it must not keep the daemon's event loop alive.
    port.unref();
  }

  receive(token: string, handler: Handler): void {
    this.#attempts.set(token, handler);
  }

  forget(token: string): void {
    this.#attempts.delete(token);
  }

  close(): void {
    for (const port of this.#byThread.values()) port.close();
    this.#byThread.clear();
    this.#attempts.clear();
  }

  #deliver(message: unknown, port: MessagePort): void {
    const token = typeof message === 'object' && message !== null ? (message as {token?: unknown}).token : undefined;
    if (typeof token === 'string') this.#attempts.get(token)?.(message as WorkerMessage, port);
  }
}
