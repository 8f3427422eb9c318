/**
 * Module customization hooks registered in every task worker (built to dist/loader-hooks.js).
 * They let user modules run with no build step and nothing installed in the user's project:
 * the bare specifiers "capsule" and "capsule/client" resolve to the bundles next to this file,
 * and TypeScript is compiled on load with esbuild, with an inline source map so stack traces
 * point at the user's lines. Self-contained on purpose: it runs on Node's hooks thread.
 */
import type {LoadHook, ResolveHook} from 'node:module';
import {readFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';
import {transform} from 'esbuild';

const BARE_SPECIFIERS: Record<string, string> = {
  capsule: new URL('./sdk.js', import.meta.url).href,
  'capsule/client': new URL('./client.js', import.meta.url).href,
};

const TYPESCRIPT_LOADERS: Record<string, 'ts' | 'tsx'> = {'.ts': 'ts', '.mts': 'ts', '.tsx': 'tsx'};

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

export const load: LoadHook = async (url, context, nextLoad) => {
  const loader = url.startsWith('file:') ? TYPESCRIPT_LOADERS[extensionOf(new URL(url).pathname)] : undefined;
  if (loader === undefined) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const {code} = await transform(await readFile(path, 'utf8'), {
    loader,
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: path,
  });
  return {format: 'module', source: code, shortCircuit: true};
};

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
