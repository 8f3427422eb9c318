import {createHash} from 'node:crypto';
import type {ServiceConfig} from '../../src/config/services.js';

/** Identifies a service definition: a different one means the running process must be replaced. */
export function definitionFingerprint(root: string, config: ServiceConfig): string {
  return createHash('sha256').update(JSON.stringify({root, config})).digest('hex').slice(0, 16);
}
