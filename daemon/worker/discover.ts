import {basename, extname} from 'node:path';
import {pathToFileURL} from 'node:url';
import type {MessagePort} from 'node:worker_threads';
import type {DiscoveredTask} from '../runner/executor-api.js';
import {isTaskDefinition} from '../../src/sdk/brand.js';
import {answerModulesWith} from './module-host.js';
import {fromSentError, toSentError, type ModuleSource, type SentError} from './protocol.js';

const DISCOVERY_KIND = 'capsule.discover';

/** The workerData of a discovery worker. */
export interface DiscoveryRequest {
  kind: typeof DISCOVERY_KIND;
  /** Absolute paths of the entry modules. */
  files: string[];
}

export type DiscoveryReply = {ok: true; tasks: DiscoveredTask[]} | {ok: false; file: string; error: SentError};

/** From the discovery worker to the daemon: a module it imports (answered with a DiscoveryAnswer), then its reply. */
export type DiscoveryMessage = {t: 'module'; call: number; url: string; format: string | null} | {t: 'discovered'; reply: DiscoveryReply};

export type DiscoveryAnswer = {call: number; ok: true; module: ModuleSource | null} | {call: number; ok: false; error: SentError};

export function discoveryRequest(files: string[]): DiscoveryRequest {
  return {kind: DISCOVERY_KIND, files};
}

export function isDiscoveryRequest(value: unknown): value is DiscoveryRequest {
  return typeof value === 'object' && value !== null && (value as {kind?: unknown}).kind === DISCOVERY_KIND;
}

/** Imports each entry module (their sources as the daemon reads them now) and posts what they export to `daemon`. */
export async function discover(request: DiscoveryRequest, daemon: MessagePort): Promise<void> {
  const calls = new Map<number, (answer: DiscoveryAnswer) => void>();
  let lastCall = 0;
  daemon.on('message', (answer: DiscoveryAnswer) => {
    calls.get(answer.call)?.(answer);
    calls.delete(answer.call);
  });
  answerModulesWith(async (url, format) => {
    const call = ++lastCall;
    const answer = await new Promise<DiscoveryAnswer>((resolve) => {
      calls.set(call, resolve);
      daemon.postMessage({t: 'module', call, url, format} satisfies DiscoveryMessage);
    });
    if (!answer.ok) throw fromSentError(answer.error);
    return answer.module;
  });
  daemon.postMessage({t: 'discovered', reply: await findTasks(request.files)} satisfies DiscoveryMessage);
}

/** Imports each entry module and lists its task() exports; stops at the first module that fails. */
async function findTasks(files: readonly string[]): Promise<DiscoveryReply> {
  const tasks: DiscoveredTask[] = [];
  for (const file of files) {
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
