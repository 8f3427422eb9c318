/**
 * Entry of every task worker (built to dist/task-worker.js): tinypool's worker module for both
 * isolation kinds, whose default export runs one attempt, and the one-shot discovery worker.
 */
import {register} from 'node:module';
import {parentPort, workerData} from 'node:worker_threads';
import {discover, isDiscoveryRequest} from './discover.js';

// Before any user module is imported: "capsule" resolves to the SDK bundle and TypeScript compiles on load.
register(new URL('./loader-hooks.js', import.meta.url));
process.setSourceMapsEnabled(true);

export {runAttempt as default} from './attempt.js';

if (isDiscoveryRequest(workerData) && parentPort !== null) parentPort.postMessage(await discover(workerData));
