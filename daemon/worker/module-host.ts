import {register} from 'node:module';
import {MessageChannel} from 'node:worker_threads';
import type {ModuleSource} from './protocol.js';

/** A question of the loader hooks (loader-hooks.ts) to the worker's main thread, and its answer. */
export interface ModuleRequest {
  id: number;
  url: string;
  format: string | null;
}

export type ModuleAnswer = {id: number; module: ModuleSource | null} | {id: number; error: Error};

/** Who answers for the daemon now: the attempt running on this worker, or the discovery. */
export type ModuleSourceFn = (url: string, format: string | null) => Promise<ModuleSource | null>;

let current: ModuleSourceFn | null = null;

/**
 * Registers the loader hooks (dist/loader-hooks.js) and relays their questions to the daemon: the hooks thread has no
 * channel of its own to the daemon (a child process's is its IPC channel, held by this thread), so
 * it asks here and this thread asks the daemon over the attempt's (or the discovery's) channel.
 */
export function registerLoaderHooks(hooks: URL): void {
  const {port1, port2} = new MessageChannel();
  register(hooks, {data: {port: port2}, transferList: [port2]});
  port1.on('message', ({id, url, format}: ModuleRequest) => {
    const source = current;
    const answer = source === null ? Promise.reject(new Error(`capsule: ${url} was imported after its run ended; import modules at the top level of the task's module or while the task runs`)) : source(url, format);
    answer.then(
      (module) => port1.postMessage({id, module} satisfies ModuleAnswer),
      (error: unknown) => port1.postMessage({id, error: error instanceof Error ? error : new Error(String(error))} satisfies ModuleAnswer),
    );
  });
  // An import in flight keeps the worker alive by itself; the channel must not keep it alive idle.
  port1.unref();
}

/** Sets who the daemon's sources come from (null: nobody, between attempts). */
export function answerModulesWith(source: ModuleSourceFn | null): void {
  current = source;
}
