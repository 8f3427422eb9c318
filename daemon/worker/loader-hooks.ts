/**
 * Module customization hooks registered in every task worker (built to dist/loader-hooks.js).
 * They let user modules run with no build step and nothing installed in the user's project:
 * the bare specifiers "capsule" and "capsule/client" resolve to the bundles next to this file,
 * and user modules (TypeScript compiled, with an inline source map) come from the daemon, which
 * serves a project's last good definition (see daemon/executor/module-sources.ts). Nothing here
 * starts a process: this thread ends with its worker, and a child it started would never be
 * reaped. It imports no more than it needs: it runs on Node's hooks
 * thread, in every worker.
 */
import type {InitializeHook, LoadHook, ResolveHook} from 'node:module';
import type {MessagePort} from 'node:worker_threads';
import type {ModuleAnswer, ModuleRequest} from './module-host.js';
import {typescriptLoader} from './typescript.js';

const BARE_SPECIFIERS: Record<string, string> = {
  capsule: new URL('./sdk.js', import.meta.url).href,
  'capsule/client': new URL('./client.js', import.meta.url).href,
};

/** capsule's own bundles (the SDK and its chunks) load as they are. */
const OWN_DIRECTORY = new URL('./', import.meta.url).href;

// TypeScript sources name their siblings by the emitted file ("./util.js" for util.ts, the
// NodeNext convention) or leave the extension out; try the TypeScript files those may mean.
const EMITTED_TO_SOURCE: Record<string, string[]> = {'.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.jsx': ['.tsx']};
const EXTENSIONLESS_CANDIDATES = ['.ts', '.tsx', '.mts', '.js', '.mjs', '/index.ts', '/index.js'];

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const bare = BARE_SPECIFIERS[specifier];
  if (bare !== undefined) return {url: bare, format: 'module', shortCircuit: true};
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!isRelative(specifier) || !isModuleNotFound(error)) throw error;
    for (const candidate of sourceCandidates(specifier)) {
      try {
        return await nextResolve(candidate, context);
      } catch (candidateError) {
        if (!isModuleNotFound(candidateError)) throw candidateError;
      }
    }
    throw error;
  }
};

/** The worker's main thread, which asks the daemon (module-host.ts). */
let host: MessagePort | null = null;
let lastRequest = 0;
const pending = new Map<number, (answer: ModuleAnswer) => void>();

export const initialize: InitializeHook<{port: MessagePort}> = ({port}) => {
  host = port;
  port.on('message', (answer: ModuleAnswer) => {
    pending.get(answer.id)?.(answer);
    pending.delete(answer.id);
    if (pending.size === 0) port.unref();
  });
  port.unref();
};

export const load: LoadHook = async (url, context, nextLoad) => {
  if (host === null || !fromDaemon(url)) return nextLoad(url, context);
  const port = host;
  const id = ++lastRequest;
  const answer = await new Promise<ModuleAnswer>((resolve) => {
    pending.set(id, resolve);
    port.ref();
    port.postMessage({id, url, format: context.format ?? null} satisfies ModuleRequest);
  });
  if ('error' in answer) throw answer.error;
  if (answer.module === null) return nextLoad(url, context);
  return {...answer.module, shortCircuit: true};
};

/** The user's own modules (a project's definition), and TypeScript anywhere (the daemon compiles it). */
function fromDaemon(url: string): boolean {
  if (!url.startsWith('file:') || url.startsWith(OWN_DIRECTORY)) return false;
  return !url.includes('/node_modules/') || typescriptLoader(extensionOf(new URL(url).pathname)) !== undefined;
}

function sourceCandidates(specifier: string): string[] {
  const extension = extensionOf(specifier);
  const stem = specifier.slice(0, specifier.length - extension.length);
  const replacements = EMITTED_TO_SOURCE[extension];
  if (replacements !== undefined) return replacements.map((replacement) => stem + replacement);
  return extension === '' ? EXTENSIONLESS_CANDIDATES.map((suffix) => specifier + suffix) : [];
}

function extensionOf(path: string): string {
  const match = /\.[a-z]+$/i.exec(path.slice(path.lastIndexOf('/') + 1));
  return match === null ? '' : match[0].toLowerCase();
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

function isModuleNotFound(error: unknown): boolean {
  return (error as {code?: unknown} | null)?.code === 'ERR_MODULE_NOT_FOUND';
}
