import type {MessagePort} from 'node:worker_threads';
import {isMessageFor, type AttemptPayload, type ExecutorMessage, type WorkerMessageBody} from './protocol.js';

/** The worker's side of one attempt's channel to the executor. */
export interface WorkerLink {
  /** This attempt's port became the worker's lasting channel (the executor keeps its end). */
  readonly adopted: boolean;
  send(message: WorkerMessageBody): void;
  onMessage(listener: (message: ExecutorMessage) => void): void;
  close(): void;
}

/** This worker thread's channel to the executor: the first port an attempt brought (see executor/thread-channels.ts). */
let lasting: MessagePort | null = null;

export function openLink(payload: AttemptPayload): WorkerLink {
  return payload.isolation === 'process' ? processLink(payload.token) : threadLink(payload.token, payload.port);
}

function threadLink(token: string, offered: MessagePort | null): WorkerLink {
  const adopted = offered !== null && lasting === null;
  if (adopted) lasting = offered;
  // A worker that has its channel uses a port an attempt still brought for this attempt only.
  const port = offered ?? lasting;
  if (port === null) throw new Error('capsule: an attempt reached a worker thread without a channel to the daemon (a bug in capsule)');
  const listeners: Array<(message: unknown) => void> = [];
  return {
    adopted,
    send: (message) => port.postMessage({...message, token}),
    onMessage(listener) {
      const filtered = (message: unknown) => {
        if (isMessageFor(token, message)) listener(message as ExecutorMessage);
      };
      listeners.push(filtered);
      port.on('message', filtered);
    },
    close() {
      for (const listener of listeners.splice(0)) port.off('message', listener);
      if (port !== lasting) port.close();
    },
  };
}

function processLink(token: string): WorkerLink {
  const listeners: Array<(message: unknown) => void> = [];
  return {
    adopted: false,
    send(message) {
      if (process.send === undefined) throw new Error('process isolation: the worker has no IPC channel to the daemon');
      process.send({...message, token});
    },
    onMessage(listener) {
      const filtered = (message: unknown) => {
        if (isMessageFor(token, message)) listener(message as ExecutorMessage);
      };
      listeners.push(filtered);
      process.on('message', filtered);
    },
    close() {
      for (const listener of listeners.splice(0)) process.off('message', listener);
    },
  };
}
