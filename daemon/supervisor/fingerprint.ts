import {createHash} from 'node:crypto';
import type {ServiceConfig} from '../../src/config/services.js';

/**
 * Identifies a service definition: a different one means the running process must be replaced.
 * What it watches is left out: changing that changes the watcher, not the process (and a
 * service declared without `watch` keeps the fingerprint it had before the key existed).
 */
export function definitionFingerprint(root: string, config: ServiceConfig): string {
  return createHash('sha256').update(JSON.stringify({root, config: {...config, watch: undefined}})).digest('hex').slice(0, 16);
}
