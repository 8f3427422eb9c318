/**
 * Module resolve hook for the processes of services (built to dist/service-resolve-hooks.js,
 * registered by dist/service-register.js through NODE_OPTIONS): `capsule`, `capsule/service`
 * and `capsule/client` resolve to the bundles beside this file when the service's project does
 * not install capsule itself, as a task's imports do (daemon/worker/loader-hooks.ts). A project
 * that installs its own copy keeps it: that is resolved first.
 */
import type {ResolveHook} from 'node:module';

const OWN_BUNDLES: Record<string, string> = {
  capsule: new URL('./sdk.js', import.meta.url).href,
  'capsule/service': new URL('./service.js', import.meta.url).href,
  'capsule/client': new URL('./client.js', import.meta.url).href,
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const own = OWN_BUNDLES[specifier];
  if (own === undefined) return nextResolve(specifier, context);
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return {url: own, format: 'module', shortCircuit: true};
  }
};
