import {MessageChannel, type MessagePort} from 'node:worker_threads';
import type {TinypoolChannel} from 'tinypool';
import type {Isolation} from '../runner/executor-api.js';
import {isMessageFor, type ExecutorMessageBody, type WorkerMessage} from '../worker/protocol.js';

/** The executor's side of one attempt's channel to its worker. */
export interface ExecutorLink {
  /** Thread isolation: the port to hand to the worker in the payload (and transfer). */
  readonly workerPort: MessagePort | null;
  /** Process isolation: tinypool's channel to the child for this task. */
  readonly channel: TinypoolChannel | null;
  send(message: ExecutorMessageBody): void;
  close(): void;
}

export function openExecutorLink(isolation: Isolation, token: string, onMessage: (message: WorkerMessage) => void): ExecutorLink {
  let open = true;
  // A child's channel stays attached to the worker after the attempt: late messages stop here.
  const accept = (message: unknown) => {
    if (open && isMessageFor(token, message)) onMessage(message as WorkerMessage);
  };
  if (isolation === 'thread') {
    const {port1, port2} = new MessageChannel();
    port1.on('message', accept);
    return {
      workerPort: port2,
      channel: null,
      send: (message) => port1.postMessage({...message, token}),
      close() {
        open = false;
        port1.close();
      },
    };
  }
  let toChild: ((message: unknown) => void) | null = null;
  return {
    workerPort: null,
    channel: {
      onMessage: (send) => {
        toChild = send;
      },
      postMessage: accept,
    },
    send(message) {
      // A child that already exited has no IPC channel; what it would have been told no longer matters.
      try {
        toChild?.({...message, token});
      } catch {
        toChild = null;
      }
    },
    close() {
      open = false;
      toChild = null;
    },
  };
}
