import {createHash} from 'node:crypto';
import type {ServiceConfig} from '../../src/config/services.js';

/**
 * Identifies a service definition: a different one means the running process must be replaced.
 * How many instances run is not part of it: a new count adds or stops instances, it does not
 * replace the ones that stay. Nor is a `port` left out: a definition without one keeps the
 * fingerprint it had before `port` existed, so a daemon upgraded past it adopts its services.
 */
export function definitionFingerprint(root: string, config: ServiceConfig): string {
  const {instances: _count, port, ...definition} = config;
  return createHash('sha256').update(JSON.stringify({root, config: port === null ? definition : {...definition, port}})).digest('hex').slice(0, 16);
}
