/**
 * A sandbox's refusals, under one error: whatever layer said no (Node's permission model,
 * Capsule's network shims, the egress proxy, bubblewrap's mounts), the run ends
 * `sandbox_denied` with what was denied, not with a bare `EACCES` stack.
 */

/** What a sandboxed task tried: `read`/`write` a path, `connect` to an address, `request` a host, `spawn`, `worker`, `addon`. */
export type DeniedOperation = 'read' | 'write' | 'connect' | 'request' | 'spawn' | 'worker' | 'addon' | 'limit';

export const SANDBOX_DENIED_CODE = 'ERR_SANDBOX_DENIED';

export class SandboxDeniedError extends Error {
  readonly code = SANDBOX_DENIED_CODE;

  constructor(
    readonly operation: DeniedOperation,
    /** The path, host or address; empty for an operation that has none (spawn). */
    readonly resource: string,
    /** How to allow it, if it can be. */
    hint: string,
  ) {
    super(`the sandbox denied ${describe(operation, resource)}${hint === '' ? '' : `: ${hint}`}`);
    this.name = 'SandboxDeniedError';
  }
}

function describe(operation: DeniedOperation, resource: string): string {
  switch (operation) {
    case 'read':
      return `reading ${resource}`;
    case 'write':
      return `writing ${resource}`;
    case 'connect':
      return `a connection to ${resource}`;
    case 'request':
      return `a request to ${resource}`;
    case 'spawn':
      return 'starting a child process';
    case 'worker':
      return 'starting a worker thread';
    case 'addon':
      return `loading the native addon ${resource}`.trimEnd();
    case 'limit':
      return resource;
  }
}
