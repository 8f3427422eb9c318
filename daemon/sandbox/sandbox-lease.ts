import type {EgressRequest} from '../../src/protocol/index.js';
import type {WorkerLease} from '../executor/lease.js';
import {WorkerHandle} from '../executor/workers.js';
import {fromBubblewrap, type SandboxProcess} from './sandbox-process.js';

/** A sandbox as the lease of one attempt: its own worker, ended when the attempt is over. */
export function sandboxLease(sandbox: SandboxProcess, hostPid: number | null): WorkerLease {
  const handle = new WorkerHandle(sandbox.child, 'sandbox', sandbox.child, hostPid ?? 0, fromBubblewrap);
  let listener: ((request: EgressRequest) => void) | null = null;
  sandbox.proxy.onRequest = (request) => listener?.(request);
  return {
    run: (payload, {channel, signal}) => {
      if (channel === undefined) throw new Error('a sandbox attempt needs its channel (a bug in capsule)');
      return sandbox.run(payload, channel, signal);
    },
    worker: (id) => (id === hostPid ? handle : null),
    threads: null,
    onRequest: (onRequest) => {
      listener = onRequest;
    },
    onDenied: (onDenied) => sandbox.whenRefused(onDenied),
    // Its attempt is over: nothing the task left behind (a timer, a pending promise) runs on.
    release: () => {
      listener = null;
      sandbox.kill();
    },
  };
}
