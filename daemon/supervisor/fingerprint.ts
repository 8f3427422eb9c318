import {createHash} from 'node:crypto';
import type {ServiceConfig} from '../../src/config/services.js';

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/**
 * Identifies a whole service declaration: a reload that changes it reconfigures (and restarts)
 * the service. How many instances run is not part of it: a new count adds or stops instances,
 * it does not replace the ones that stay. Nor is what it watches: that changes the watcher, not
 * the process.
 */
export function definitionFingerprint(root: string, config: ServiceConfig): string {
  const {instances: _count, watch: _watch, ...definition} = config;
  return digest({root, config: definition});
}

/**
 * Identifies what a process is started from: program, directory and declared environment (with
 * the ports its instances get). A recorded process is adopted only by a daemon whose declaration
 * would start the same one. The rest of the declaration (probes, restart policy, keys a later
 * Capsule adds) is left out, so an upgrade of Capsule does not replace every service.
 */
export function processFingerprint(root: string, config: ServiceConfig): string {
  const {command, cwd, env, envFile, port} = config;
  return digest({root, command, cwd, env, envFile, port});
}
