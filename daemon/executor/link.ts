import type {MessagePort} from 'node:worker_threads';
import type {TinypoolChannel} from 'tinypool';
import type {Isolation} from '../runner/executor-api.js';
import {isMessageFor, type ExecutorMessageBody, type WorkerMessage} from '../worker/protocol.js';
import type {ThreadChannels} from './thread-channels.js';

/** The executor's side of one attempt's channel to its worker. */
export interface ExecutorLink {
  /** Thread isolation: a port of the attempt's own, for a worker that may have no channel yet (transfer it). */
  readonly workerPort: MessagePort | null;
  /** Process isolation: tinypool's channel to the child for this task. */
  readonly channel: TinypoolChannel | null;
  send(message: ExecutorMessageBody): void;
  close(): void;
}

/** Thread isolation: the pool's channels, and whether this attempt must bring a port of its own. */
export interface ThreadRoute {
  channels: ThreadChannels;
  needsPort: boolean;
}

export function openExecutorLink(isolation: Isolation, token: string, onMessage: (message: WorkerMessage) => void, threads: ThreadRoute | null): ExecutorLink {
  let open = true;
  if (isolation === 'thread') {
    if (threads === null) throw new Error('a thread attempt needs its pool’s channels');
    const {channels} = threads;
    const own = threads.needsPort ? channels.open() : null;
    // Whichever port the worker answered on reaches it: its lasting channel, or this attempt's own.
    let toWorker: MessagePort | null = null;
    let adopted = false;
    channels.receive(token, (message, port) => {
      if (!open) return;
      toWorker = port;
      if (message.t === 'started' && message.adopted && own !== null && port === own.main) {
        channels.adopt(message.threadId, port);
        adopted = true;
      }
      onMessage(message);
    });
    return {
      workerPort: own?.worker ?? null,
      channel: null,
      // The token first: a spread followed by a new key is slow in V8 (see newRun in runner/run-state.ts).
      send: (message) => toWorker?.postMessage({token, ...message}),
      close() {
        open = false;
        channels.forget(token);
        if (own !== null && !adopted) own.main.close();
      },
    };
  }
  // A child's channel stays attached to the worker after the attempt: late messages stop here.
  const accept = (message: unknown) => {
    if (open && isMessageFor(token, message)) onMessage(message as WorkerMessage);
  };
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
        toChild?.({token, ...message});
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
