/**
 * The network of a sandboxed process, installed before any user code runs: HTTP(S) through the
 * egress proxy's unix socket (fetch, http, https), every other socket and every name lookup
 * refused with a SandboxDeniedError. bubblewrap already leaves the process no route out; this
 * turns what would be a hang or a bare ECONNREFUSED into a request the proxy can check against
 * `allowedHosts`, or an error that says what was denied.
 */
import {syncBuiltinESMExports} from 'node:module';
import {installFetchDispatcher} from './sandbox-fetch.js';
import {routeHttpThroughProxy} from './sandbox-http.js';
import {refuseSockets} from './sandbox-sockets.js';

let installedFor: string | null = null;

export function installSandboxNetwork(socketPath: string): void {
  if (installedFor !== null) {
    if (installedFor === socketPath) return;
    throw new Error(`the sandbox network is already routed through ${installedFor}; it cannot be routed through ${socketPath} as well`);
  }
  installedFor = socketPath;
  installFetchDispatcher(routeHttpThroughProxy(socketPath));
  refuseSockets(socketPath);
  // `import {request} from 'node:http'` binds the ES module's exports: bring them up to date.
  syncBuiltinESMExports();
}
