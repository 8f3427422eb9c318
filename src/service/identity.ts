/** Where the daemon is and which service this process is, as the daemon put it in the environment. */
import {dirname} from 'node:path';
import {CapsuleError} from '../lib/errors.js';
import {AGENT_ENVIRONMENT} from '../protocol/index.js';

export interface AgentIdentity {
  /** "namespace/name" */
  service: string;
  socket: string;
  token: string;
  /** The daemon's CAPSULE_HOME: the socket lives in its run/ directory. */
  home: string;
}

export function agentIdentity(env: NodeJS.ProcessEnv): AgentIdentity {
  const [service, socket, token] = [AGENT_ENVIRONMENT.service, AGENT_ENVIRONMENT.socket, AGENT_ENVIRONMENT.token].map((name) => env[name]);
  const missing = Object.values(AGENT_ENVIRONMENT).filter((name) => !env[name]);
  if (!service || !socket || !token) {
    throw new CapsuleError('bad_input', `agent() runs inside a service that capsule started: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`, {
      hint: 'declare the program as [services.NAME] in capsule.toml and let the daemon start it; to run it on its own, skip agent() when CAPSULE_SERVICE is unset',
    });
  }
  return {service, socket, token, home: dirname(dirname(socket))};
}
