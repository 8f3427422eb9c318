import {describe, expect, it} from 'vitest';
import type {ResolveFnOutput, ResolveHookContext} from 'node:module';
import {resolve} from '../../../daemon/worker/loader-hooks.js';

const context: ResolveHookContext = {conditions: [], importAttributes: {}, importAssertions: {}, parentURL: 'file:///project/tasks/main.ts'};

/** A next resolver that knows only `existing` specifiers. */
function nextResolve(existing: string[]) {
  return async (specifier: string): Promise<ResolveFnOutput> => {
    if (existing.includes(specifier)) return {url: `file:///project/tasks/${specifier.slice(2)}`};
    throw Object.assign(new Error(`Cannot find module ${specifier}`), {code: 'ERR_MODULE_NOT_FOUND'});
  };
}

describe('loader hooks: resolve', () => {
  it('maps "capsule" and "capsule/client" to the bundles beside the hooks', async () => {
    const sdk = await resolve('capsule', context, nextResolve([]));
    expect(sdk).toMatchObject({shortCircuit: true, format: 'module', url: expect.stringMatching(/\/sdk\.js$/)});
    expect((await resolve('capsule/client', context, nextResolve([]))).url).toMatch(/\/client\.js$/);
  });

  it('finds the TypeScript source of an import written with its emitted name or no extension', async () => {
    expect((await resolve('./util.js', context, nextResolve(['./util.ts']))).url).toBe('file:///project/tasks/util.ts');
    expect((await resolve('./util.mjs', context, nextResolve(['./util.mts']))).url).toBe('file:///project/tasks/util.mts');
    expect((await resolve('./lib', context, nextResolve(['./lib/index.ts']))).url).toBe('file:///project/tasks/lib/index.ts');
  });

  it('rethrows the original error when no candidate exists, and leaves bare packages alone', async () => {
    await expect(resolve('./gone.js', context, nextResolve([]))).rejects.toThrow('Cannot find module ./gone.js');
    await expect(resolve('left-pad', context, nextResolve([]))).rejects.toThrow('Cannot find module left-pad');
  });
});
