/**
 * Entry of every task worker (built to dist/task-worker.js): tinypool's worker module for both
 * isolation kinds, whose default export runs one attempt, and the one-shot discovery worker.
 */
import {isMainThread, parentPort, workerData} from 'node:worker_threads';
import {discover, isDiscoveryRequest, portChannel} from './discover.js';
import {exposeMemoryProbe} from './memory.js';
import {registerLoaderHooks} from './module-host.js';
import {endWithParent} from './parent-watch.js';
import {installSpawnGuard} from './spawn-guard.js';

// Before any user module is imported: "capsule" resolves to the SDK bundle, user modules come from the daemon.
// The URL is this file's sibling: module-host.ts itself may be bundled into a chunk.
registerLoaderHooks(new URL('./loader-hooks.js', import.meta.url));
process.setSourceMapsEnabled(true);
// A process worker is a child process of the daemon (its main thread); the others are its worker threads.
installSpawnGuard(isMainThread ? 'process' : 'thread');
if (isMainThread) endWithParent();
exposeMemoryProbe();

export {runAttempt as default} from './attempt.js';

if (isDiscoveryRequest(workerData) && parentPort !== null) discover(workerData, portChannel(parentPort));
