/**
 * Entry of a sandboxed worker (built to dist/sandbox-worker.js), run by node inside bubblewrap
 * (sandbox/command.ts): sets up what the attempt's code may use, then runs the one attempt the
 * daemon sends and exits. It never takes a second one.
 */
import nodeModule, {syncBuiltinESMExports} from 'node:module';
import workerThreads from 'node:worker_threads';
import {runAttempt} from './attempt.js';
import {discover, discoveryRequest, type DiscoveryJobMessage} from './discover.js';
import {registerLoaderHooks} from './module-host.js';
import {SandboxDeniedError} from './sandbox-denial.js';
import {installSandboxFs} from './sandbox-fs.js';
import {installSandboxNetwork} from './sandbox-network.js';
import {Socket} from 'node:net';
import {frame, FrameReader} from '../sandbox/frames.js';
import {CHANNEL_FD, EGRESS_SOCKET, SANDBOX_RAN, type SandboxRunMessage} from '../sandbox/protocol.js';
import {describeInSandbox} from './sandbox-denial.js';

openChannel();
registerLoaderHooks(new URL('./loader-hooks.js', import.meta.url));
process.setSourceMapsEnabled(true);
denyWorkers();
denyModuleHooks();
installSandboxFs();
installSandboxNetwork(EGRESS_SOCKET);
// A spare waits for its attempt: what every task imports ("capsule", the SDK) is loaded by then, through the hooks thread, which that warms too.
const ready = import(new URL('./sdk.js', import.meta.url).href).catch(() => {});

// Its one job: an attempt, or the loading of a project's entry modules (then the daemon ends it).
process.once('message', (message: SandboxRunMessage | DiscoveryJobMessage) => {
  if (message.t === 'run') {
    void ready.then(() => runAttempt(message.payload)).then(() => process.send?.({t: SANDBOX_RAN}, () => process.exit(0)));
    return;
  }
  if (message.t !== 'discover') return;
  discover(discoveryRequest(), {
    send: (reply) => process.send?.(reply),
    onMessage: (listener) => process.on('message', listener),
    describe: (error) => describeInSandbox(error, {scratchBytes: message.scratchBytes ?? 0}),
  });
  // The listener above came after this message: it is handed the job now.
  process.emit('message', message, undefined);
});

/**
 * The daemon's channel, in frames on the descriptor it left open (sandbox/frames.ts), as
 * `process.send` and `process.on('message')`: what the attempt's code and the module hooks
 * already talk through in a process worker. The daemon refuses a frame past the cap.
 */
function openChannel(): void {
  const channel = new Socket({fd: CHANNEL_FD, readable: true, writable: true});
  const reader = new FrameReader(
    (message) => process.emit('message', message as never, undefined),
    () => process.exit(1),
  );
  channel.on('data', (chunk: Buffer) => reader.push(chunk));
  // The daemon is gone, or ended this sandbox: nothing is left to do.
  channel.on('close', () => process.exit(0));
  process.send = ((message: unknown, ...rest: unknown[]) => {
    const callback = rest.findLast((arg) => typeof arg === 'function') as ((error: Error | null) => void) | undefined;
    return channel.write(frame(message), callback === undefined ? undefined : () => callback(null));
  }) as typeof process.send;
}

/**
 * The permission model lets this process start workers, because the module hooks need one
 * (sandbox/command.ts); the task's code gets none.
 */
function denyWorkers(): void {
  workerThreads.Worker = class DeniedWorker {
    constructor() {
      throw new SandboxDeniedError('worker', '', 'a sandboxed task runs on one thread');
    }
  } as unknown as typeof workerThreads.Worker;
  syncBuiltinESMExports();
}

/** Module hooks of the task's own would run on the hooks thread, where the shims above are not. */
function denyModuleHooks(): void {
  nodeModule.register = () => {
    throw new SandboxDeniedError('worker', '', 'a sandboxed task cannot register module hooks (they run on a thread of their own)');
  };
  syncBuiltinESMExports();
}
