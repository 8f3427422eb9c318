import type {MessagePort} from 'node:worker_threads';
import {isMessageFor, type AttemptPayload, type ExecutorMessage, type WorkerMessageBody} from './protocol.js';

type Listener = (message: ExecutorMessage) => void;

/** The worker's side of one attempt's channel to the executor. */
export interface WorkerLink {
  /** This attempt's port became the worker's lasting channel (the executor keeps its end). */
  readonly adopted: boolean;
  send(message: WorkerMessageBody): void;
  /** Sets the attempt's one listener (called once per link). */
  onMessage(listener: Listener): void;
  close(): void;
}

/** This worker thread's channel to the executor: the first port an attempt brought (see executor/thread-channels.ts). */
let lasting: MessagePort | null = null;

/**
 * The listener of the attempt this worker runs now (one at a time). The lasting channel, or a
 * child's IPC channel, is listened to once for the worker's life: adding and removing a
 * listener on every attempt cost more than the messages of a short one.
 */
let current: {token: string; listener: Listener} | null = null;

function routeToCurrent(message: unknown): void {
  if (current !== null && isMessageFor(current.token, message)) current.listener(message as ExecutorMessage);
}

export function openLink(payload: AttemptPayload): WorkerLink {
  return payload.isolation === 'thread' ? threadLink(payload.token, payload.port) : processLink(payload.token);
}

function threadLink(token: string, offered: MessagePort | null): WorkerLink {
  const adopted = offered !== null && lasting === null;
  if (adopted) {
    lasting = offered;
    offered.on('message', routeToCurrent);
  }
  // A worker that has its channel uses a port an attempt still brought for this attempt only.
  const port = offered ?? lasting;
  if (port === null) throw new Error('capsule: an attempt reached a worker thread without a channel to the daemon (a bug in capsule)');
  const onlyThisAttempt = port !== lasting;
  return {
    adopted,
    // The token first: a spread followed by a new key is slow in V8 (see newRun in runner/run-state.ts).
    send: (message) => port.postMessage({token, ...message}),
    onMessage(listener) {
      current = {token, listener};
      if (onlyThisAttempt) port.on('message', routeToCurrent);
    },
    close() {
      if (current?.token === token) current = null;
      if (onlyThisAttempt) port.close();
    },
  };
}

let listeningToParent = false;

function processLink(token: string): WorkerLink {
  return {
    adopted: false,
    send(message) {
      if (process.send === undefined) throw new Error('capsule: a process worker has no IPC channel to the daemon');
      process.send({token, ...message});
    },
    onMessage(listener) {
      current = {token, listener};
      if (!listeningToParent) {
        listeningToParent = true;
        process.on('message', routeToCurrent);
      }
    },
    close() {
      if (current?.token === token) current = null;
    },
  };
}
