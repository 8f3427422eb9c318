import {isMessageFor, type AttemptPayload, type ExecutorMessage, type WorkerMessageBody} from './protocol.js';

/** The worker's side of one attempt's channel to the executor. */
export interface WorkerLink {
  send(message: WorkerMessageBody): void;
  onMessage(listener: (message: ExecutorMessage) => void): void;
  close(): void;
}

export function openLink(payload: AttemptPayload): WorkerLink {
  return payload.port === null ? processLink(payload.token) : threadLink(payload.token, payload.port);
}

function threadLink(token: string, port: NonNullable<AttemptPayload['port']>): WorkerLink {
  return {
    send: (message) => port.postMessage({...message, token}),
    onMessage(listener) {
      port.on('message', (message: unknown) => {
        if (isMessageFor(token, message)) listener(message as ExecutorMessage);
      });
    },
    close: () => port.close(),
  };
}

function processLink(token: string): WorkerLink {
  const listeners: Array<(message: unknown) => void> = [];
  return {
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
