import type {MessagePort} from 'node:worker_threads';
import type {TinypoolChannel} from 'tinypool';
import type {EgressRequest} from '../../src/protocol/index.js';
import type {StopSignal} from '../runner/stop-switch.js';
import type {AttemptPayload} from '../worker/protocol.js';
import type {ThreadRoute} from './link.js';
import type {WorkerHandle} from './workers.js';

/** How a payload travels to its worker: a thread's port, a process's channel, and the stop. */
export interface RunOptions {
  transferList?: MessagePort[];
  channel?: TinypoolChannel;
  signal: StopSignal;
}

/** A worker for one attempt: a pool's (pools.ts), or a sandbox of its own (sandbox-lease.ts). */
export interface WorkerLease {
  /** Settles when the task's function returned; rejects when the worker failed first or `signal` terminated it. */
  run(payload: AttemptPayload, options: RunOptions): Promise<unknown>;
  /** The worker that reported `started` with this id: a thread's id, or a process's pid. */
  worker(id: number): WorkerHandle | null;
  /** Thread pools: the workers' lasting channels, and whether an attempt now must bring a port of its own. */
  readonly threads: ThreadRoute | null;
  /** A sandbox's HTTP requests, each as its egress proxy saw it end. */
  onRequest(listener: (request: EgressRequest) => void): void;
  /** A sandbox stopped for what it sent (a message past the cap), with what to say. */
  onDenied(listener: (message: string) => void): void;
  release(): void;
}
