import {getHeapStatistics} from 'node:v8';
import {MEMORY_PROBE_GLOBAL} from './protocol.js';

/**
 * The memory an attempt is held to: a child process's resident set; in a worker thread (which
 * shares the process's resident set) its own isolate's heap plus the larger of V8's external
 * memory (Buffers, ArrayBuffers, WebAssembly memories) and Node's ArrayBuffer allocations
 * (the only figure that counts SharedArrayBuffers). Each of these is per isolate. The larger of
 * the two rather than their sum, since an ordinary Buffer is in both: a thread holding Buffers
 * and SharedArrayBuffers at once is measured short by the smaller share.
 */
export function ownMemoryBytes(inProcess: boolean): number {
  if (inProcess) return processRss();
  const {heapUsed, external, arrayBuffers} = process.memoryUsage();
  return heapUsed + Math.max(external, arrayBuffers);
}

/**
 * Reading the resident set opens /proc/self/stat: a task that used up its open files (a
 * sandbox's RLIMIT_NOFILE) would make the report of its own failure throw. The heap is then
 * the figure there is; the daemon's watchdog reads the resident set from outside anyway.
 */
function processRss(): number {
  try {
    return process.memoryUsage.rss();
  } catch {
    const {used_heap_size: heap, external_memory: external} = getHeapStatistics();
    return heap + external;
  }
}

/** A full garbage collection (through the worker's own inspector session: no --expose-gc), so that only what is still held counts against a limit. */
export async function collectGarbage(): Promise<void> {
  if (!process.features.inspector) return;
  const {Session} = await import('node:inspector');
  const session = new Session();
  session.connect();
  try {
    await new Promise<void>((resolve) => session.post('HeapProfiler.collectGarbage', () => resolve()));
  } finally {
    session.disconnect();
  }
}

/** Answers the daemon's ThreadMemoryProbe (executor/thread-memory.ts); not writable or configurable, so task code cannot replace it. */
export function exposeMemoryProbe(): void {
  Object.defineProperty(globalThis, MEMORY_PROBE_GLOBAL, {value: () => ownMemoryBytes(false)});
}
