/** Where the daemon is and which service this process is: from the environment the daemon gave it, or from a remote service's token. */
import {dirname} from 'node:path';
import {CapsuleError} from '../lib/errors.js';
import {AGENT_ENVIRONMENT} from '../protocol/agent-limits.js';
import {parseRemoteToken, TOKEN_PREFIX, type RemoteToken} from '../protocol/remote-token.js';

/** Where a remote service's agent finds the daemon when the token's address is not the way there (a proxy, a tunnel). */
export const AGENT_URL_ENV = 'CAPSULE_AGENT_URL';

export type AgentIdentity =
  | {
      kind: 'local';
      /** "namespace/name" */
      service: string;
      socket: string;
      token: string;
      /** The daemon's CAPSULE_HOME: the socket lives in its run/ directory. */
      home: string;
    }
  | {
      kind: 'remote';
      service: string;
      /** The whole token string, as `capsule service token` printed it. */
      token: string;
      remote: RemoteToken;
      /** "capsule://host:port", overriding the token's address; undefined: the token's. */
      url: string | undefined;
    };

/** `given`: what agent() was passed, which wins over the environment. */
export function agentIdentity(env: NodeJS.ProcessEnv, given: {url?: string | undefined; token?: string | undefined} = {}): AgentIdentity {
  const token = given.token ?? env[AGENT_ENVIRONMENT.token];
  if (token?.startsWith(TOKEN_PREFIX)) {
    const remote = parseRemoteToken(token);
    return {kind: 'remote', service: remote.service, token, remote, url: given.url ?? env[AGENT_URL_ENV]};
  }
  if (given.url !== undefined) throw new CapsuleError('bad_input', `agent(): url ${JSON.stringify(given.url)} needs a remote service's token, got ${token === undefined ? 'none' : 'a token that is not one'}`, {hint: 'pass the token `capsule service token NS/NAME` printed on the daemon\'s machine'});
  const [service, socket] = [AGENT_ENVIRONMENT.service, AGENT_ENVIRONMENT.socket].map((name) => env[name]);
  const missing = Object.values(AGENT_ENVIRONMENT).filter((name) => !env[name]);
  if (!service || !socket || !token) {
    throw new CapsuleError('bad_input', `agent() runs inside a service that capsule started, or with a remote service's token: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`, {
      hint: 'declare the program as [services.NAME] in capsule.toml and let the daemon start it, or declare it `remote = true` and pass agent({token}) the token of `capsule service token NS/NAME`; to run it on its own, skip agent() when CAPSULE_SERVICE is unset',
    });
  }
  return {kind: 'local', service, socket, token, home: dirname(dirname(socket))};
}
