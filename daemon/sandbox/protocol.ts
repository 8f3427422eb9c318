/**
 * What the daemon and a sandbox's worker entry agree on (the attempt's own messages are
 * worker/protocol.ts's, as for any process worker).
 */
import type {AttemptPayload} from '../worker/protocol.js';

/** `ctx.scratchDir` inside a sandbox: a size-capped tmpfs of the attempt's own, gone with it. */
export const SCRATCH_DIR = '/scratch';
/** Where the egress proxy's socket is, inside a sandbox. */
export const EGRESS_SOCKET = '/run/capsule/egress.sock';

/** The file descriptor of a sandbox's channel to the daemon (frames.ts), the same in the worker as in the daemon's view of its child. */
export const CHANNEL_FD = 3;

/** The one attempt a sandbox runs (then it exits). */
export interface SandboxRunMessage {
  t: 'run';
  payload: AttemptPayload;
}

/** The worker's answer once the attempt's function returned (its outcome went before, as the attempt's `done`). */
export const SANDBOX_RAN = 'ran';
