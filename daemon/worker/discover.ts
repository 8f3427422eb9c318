import {basename, extname} from 'node:path';
import {pathToFileURL} from 'node:url';
import type {MessagePort} from 'node:worker_threads';
import type {DiscoveredTask} from '../runner/executor-api.js';
import {isTaskDefinition} from '../../src/sdk/brand.js';
import {answerModulesWith} from './module-host.js';
import {fromSentError, toSentError, type ModuleSource, type SentError} from './protocol.js';

const DISCOVERY_KIND = 'capsule.discover';

/** The workerData of a discovery worker: it then takes projects one after another, each a DiscoveryJobMessage. */
export interface DiscoveryRequest {
  kind: typeof DISCOVERY_KIND;
}

export type DiscoveryReply = {ok: true; tasks: DiscoveredTask[]} | {ok: false; file: string; error: SentError};

/** From the daemon to the discovery worker: a project's entry modules (absolute paths) to import, or a module's source (DiscoveryAnswer). */
export interface DiscoveryJobMessage {
  t: 'discover';
  files: string[];
  /** In a sandbox: the size of its scratch directory, for naming the cap a module's top level filled. */
  scratchBytes?: number;
}

/** From the discovery worker to the daemon: a module it imports (answered with a DiscoveryAnswer), then the job's reply. */
export type DiscoveryMessage = {t: 'module'; call: number; url: string; format: string | null} | {t: 'discovered'; reply: DiscoveryReply};

export type DiscoveryAnswer = {call: number; ok: true; module: ModuleSource | null} | {call: number; ok: false; error: SentError};

export function discoveryRequest(): DiscoveryRequest {
  return {kind: DISCOVERY_KIND};
}

export function isDiscoveryRequest(value: unknown): value is DiscoveryRequest {
  return typeof value === 'object' && value !== null && (value as {kind?: unknown}).kind === DISCOVERY_KIND;
}

/**
 * For each job the daemon posts, one at a time: imports the entry modules (their sources as the
 * daemon reads them now) and posts what they export. Projects have distinct file URLs, so the
 * ESM cache of one job's modules is not another's (daemon/executor/discovery-workers.ts keeps
 * a worker from taking a project whose files an earlier job loaded).
 */
/** The daemon's end, as discover() uses it: a worker thread's port, or a sandbox's IPC channel. */
export interface DiscoveryChannel {
  send(message: DiscoveryMessage): void;
  onMessage(listener: (message: DiscoveryAnswer | DiscoveryJobMessage) => void): void;
  /** What a module's failure is sent as (a sandbox names its walls). @default toSentError */
  describe?(error: unknown): SentError;
}

/** A worker thread's parent port as a DiscoveryChannel. */
export function portChannel(port: MessagePort): DiscoveryChannel {
  return {send: (message) => port.postMessage(message), onMessage: (listener) => port.on('message', listener)};
}

export function discover(_request: DiscoveryRequest, daemon: DiscoveryChannel): void {
  const calls = new Map<number, (answer: DiscoveryAnswer) => void>();
  let lastCall = 0;
  daemon.onMessage((message) => {
    if ('t' in message) {
      void findTasks(message.files, daemon.describe ?? toSentError).then((reply) => daemon.send({t: 'discovered', reply}));
      return;
    }
    calls.get(message.call)?.(message);
    calls.delete(message.call);
  });
  answerModulesWith(async (url, format) => {
    const call = ++lastCall;
    const answer = await new Promise<DiscoveryAnswer>((resolve) => {
      calls.set(call, resolve);
      daemon.send({t: 'module', call, url, format});
    });
    if (!answer.ok) throw fromSentError(answer.error);
    return answer.module;
  });
}

/** Imports each entry module and lists its task() exports; stops at the first module that fails. */
async function findTasks(files: readonly string[], describe: (error: unknown) => SentError): Promise<DiscoveryReply> {
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
      return {ok: false, file, error: describe(error)};
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
