import {basename, extname} from 'node:path';
import {pathToFileURL} from 'node:url';
import type {DiscoveredTask} from '../runner/executor-api.js';
import {isTaskDefinition} from '../../src/sdk/brand.js';
import {toSentError, type SentError} from './protocol.js';

const DISCOVERY_KIND = 'capsule.discover';

/** The workerData of a discovery worker. */
export interface DiscoveryRequest {
  kind: typeof DISCOVERY_KIND;
  /** Absolute paths of the entry modules. */
  files: string[];
}

export type DiscoveryReply = {ok: true; tasks: DiscoveredTask[]} | {ok: false; file: string; error: SentError};

export function discoveryRequest(files: string[]): DiscoveryRequest {
  return {kind: DISCOVERY_KIND, files};
}

export function isDiscoveryRequest(value: unknown): value is DiscoveryRequest {
  return typeof value === 'object' && value !== null && (value as {kind?: unknown}).kind === DISCOVERY_KIND;
}

/** Imports each entry module and lists its task() exports; stops at the first module that fails. */
export async function discover(request: DiscoveryRequest): Promise<DiscoveryReply> {
  const tasks: DiscoveredTask[] = [];
  for (const file of request.files) {
    try {
      const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      for (const [exportName, value] of Object.entries(module)) {
        if (!isTaskDefinition(value)) continue;
        const declared = typeof value.options.name === 'string' ? value.options.name : undefined;
        tasks.push({
          modulePath: file,
          exportName,
          name: declared ?? (exportName === 'default' ? basename(file, extname(file)) : exportName),
          options: copyOptions(exportName, value.options),
        });
      }
    } catch (error) {
      return {ok: false, file, error: toSentError(error)};
    }
  }
  return {ok: true, tasks};
}

function copyOptions(exportName: string, options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    return structuredClone(options) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`the options of task export "${exportName}" cannot be copied (${(error as Error).message}); options must be plain data`);
  }
}
