import {serialize} from 'node:v8';
import {pathToFileURL} from 'node:url';
import {threadId} from 'node:worker_threads';
import {formatSize} from '../../src/lib/size.js';
import {isFatalError, isTaskDefinition, type BrandedTask} from '../../src/sdk/brand.js';
import {FatalError, NondeterminismError} from '../../src/sdk/index.js';
import {routeConsoleTo} from './console-capture.js';
import {createAttemptContext} from './context.js';
import {openLink} from './link.js';
import {collectGarbage, ownMemoryBytes} from './memory.js';
import {answerModulesWith} from './module-host.js';
import {ATTEMPT_MARKER, attemptMarker, endAttemptProcesses} from './attempt-processes.js';
import {readOwnCpuSoftLimitSeconds, readOwnThreadCpuMs, readOwnThreadId, readStat} from './procfs.js';
import {exceedsMemoryLimit, MAX_RESULT_BYTES, toSentError, type AttemptPayload, type WorkerOutcome} from './protocol.js';
import {describeInSandbox} from './sandbox-denial.js';
import {SCRATCH_DIR} from '../sandbox/protocol.js';
import {unwatchSpawns, watchSpawns} from './spawn-guard.js';

/** How long a worker waits for what a finished attempt started to be gone before it reports anyway (the daemon's grace period is shorter: it ends the worker then). */
const PROCESSES_END_MS = 5_000;

/**
 * Runs one attempt inside a worker: the default export tinypool calls. It never throws: the
 * task's result or error travels back as the last message on the attempt's link, after every
 * log line, so the executor sees them in order.
 */
export async function runAttempt(payload: AttemptPayload): Promise<void> {
  const link = openLink(payload);
  // A sandbox is a process of its own too.
  const inProcess = payload.isolation !== 'thread';
  const context = createAttemptContext(payload.runId, payload.attempt, payload.memo, link, payload.sandbox === null ? null : SCRATCH_DIR);
  const cpuLimitSeconds = inProcess ? readOwnCpuSoftLimitSeconds() : null;
  let resume = () => {};
  const resumed = new Promise<void>((resolve) => (resume = resolve));
  link.onMessage((message) => {
    if (message.t === 'abort') context.abort(new DOMException(message.message, message.reason === 'timeout' ? 'TimeoutError' : 'AbortError'));
    else if (message.t === 'resume') resume();
    else context.settleCall(message);
  });

  const cpuBefore = cpuAtStart(inProcess);
  const marker = attemptMarker(payload.runId, payload.attempt);
  link.send({t: 'started', pid: process.pid, threadId, tid: inProcess ? null : readOwnThreadId(), cpuMs: cpuBefore, cpuLimitSeconds, adopted: link.adopted, startTime: inProcess ? ownStartTime() : null});
  if (cpuLimitSeconds !== null) await resumed;
  watchSpawns(marker, () => link.send({t: 'spawned'}));

  routeConsoleTo(context.log);
  answerModulesWith(context.loadModule);
  let outcome: WorkerOutcome;
  try {
    applyEnvironment(payload, marker);
    const definition = await loadTask(payload.modulePath, payload.exportName);
    const {durable} = context;
    // A suspended attempt's function never returns: it is left behind, pending, and collected.
    const returned = await Promise.race([Promise.resolve(definition.run(payload.input, context.ctx as never)).then((value) => ({value})), durable.suspension.then(() => null)]);
    durable.checkIntact();
    if (returned === null) outcome = {ok: 'suspended', ...(await usage(inProcess, cpuBefore, payload.ramBytes))};
    else {
      durable.checkAllReached();
      outcome = {ok: true, result: serializeResult(returned.value), ...(await usage(inProcess, cpuBefore, payload.ramBytes))};
    }
  } catch (error) {
    // A nondeterminism the task caught and went on from still ends the attempt; a sandbox's wall is named as such.
    const failure = context.durable.nondeterminism ?? error;
    const nondeterminism = failure instanceof NondeterminismError;
    const sent = payload.sandbox === null || nondeterminism ? toSentError(failure) : describeInSandbox(failure, payload.sandbox);
    outcome = {ok: false, error: sent, fatal: nondeterminism || isFatalError(failure), nondeterminism, ...(await usage(inProcess, cpuBefore, payload.ramBytes))};
  } finally {
    answerModulesWith(null);
    routeConsoleTo(null);
    context.flush();
  }
  // What the task started ends with it: this worker leads the group its children are in.
  if (unwatchSpawns()) await endAttemptProcesses({markers: [marker], groups: [process.pid], spare: process.pid}, PROCESSES_END_MS);
  link.send({t: 'done', outcome});
  link.close();
  // What puts the worker over its limit (a module's globals, a timer's allocations) would stay
  // with the next attempt: the executor stops this worker, and returning would hand it on first.
  if (exceedsMemoryLimit(outcome.memoryBytes, payload.ramBytes)) await new Promise<never>(() => {});
}

// The task sees exactly the environment it was given, and the attempt's marker, which every
// process it starts inherits: the worker started with an empty one, and what an earlier
// attempt set must not leak into this one.
// Only what differs is written: a worker's process.env is backed by native code, where a write
// costs more than a read, and attempts of one task find the environment the last one left.
function applyEnvironment(payload: AttemptPayload, marker: string): void {
  const {env} = process;
  for (const name of Object.keys(env)) if (name !== ATTEMPT_MARKER && !Object.hasOwn(payload.env, name)) delete env[name];
  for (const [name, value] of Object.entries(payload.env)) if (env[name] !== value) env[name] = value;
  env[ATTEMPT_MARKER] = marker;
  if (payload.cwd !== null) process.chdir(payload.cwd);
}

let startTime: number | null | undefined;

/** This process's start time, read once: it does not change. */
function ownStartTime(): number | null {
  if (startTime === undefined) startTime = readStat(process.pid)?.startTime ?? null;
  return startTime;
}

// import() of a loaded module still resolves its specifier through the hooks thread: a round
// trip per attempt. Namespaces the module cache holds anyway are kept here instead.
const loadedModules = new Map<string, Record<string, unknown>>();

async function loadTask(modulePath: string, exportName: string): Promise<BrandedTask> {
  let module = loadedModules.get(modulePath);
  if (module === undefined) {
    module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
    loadedModules.set(modulePath, module);
  }
  const value = module[exportName];
  if (isTaskDefinition(value)) return value;
  // A missing export will not appear on a retry: fail the run at once.
  throw new FatalError(`${modulePath} has no task export named "${exportName}" (found: ${Object.keys(module).join(', ') || 'no exports'}); reload the project after renaming a task`);
}

function serializeResult(value: unknown): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = serialize(value);
  } catch (error) {
    throw new Error(`the task returned a value that cannot be copied out of its worker (${(error as Error).message}); return plain data: objects, arrays, strings, numbers, booleans, null, Dates, Maps, Sets`);
  }
  if (bytes.length > MAX_RESULT_BYTES) {
    throw new Error(`the task returned ${formatSize(bytes.length)} of data, over the ${formatSize(MAX_RESULT_BYTES)} limit; write large results to a file and return its path`);
  }
  return bytes;
}

/** One tick of /proc CPU times (USER_HZ 100): a reading younger than this is as good as a new one. */
const CPU_TICK_MS = 10;

/**
 * A worker thread's CPU time as its last attempt ended, and when it was read. In a burst of
 * short attempts the next one starts within a tick, and reusing the reading spares a /proc read
 * per attempt; after any longer gap (in which the thread may have collected garbage or run what
 * the last task left behind) the start is read afresh, so that work is charged to no attempt.
 */
let lastThreadCpu: {cpuMs: number; at: number} | null = null;

function cpuAtStart(inProcess: boolean): number | null {
  if (inProcess) return processCpuMs();
  if (lastThreadCpu !== null && performance.now() - lastThreadCpu.at < CPU_TICK_MS) return lastThreadCpu.cpuMs;
  return readOwnThreadCpuMs();
}

function cpuAtEnd(inProcess: boolean): number | null {
  if (inProcess) return processCpuMs();
  const cpuMs = readOwnThreadCpuMs();
  lastThreadCpu = cpuMs === null ? null : {cpuMs, at: performance.now()};
  return cpuMs;
}

function processCpuMs(): number {
  const {user, system} = process.cpuUsage();
  return (user + system) / 1000;
}

async function usage(inProcess: boolean, cpuBefore: number | null, ramBytes: number): Promise<{cpuMs: number | null; memoryBytes: number}> {
  const cpuAfter = cpuAtEnd(inProcess);
  let memoryBytes = ownMemoryBytes(inProcess);
  // Garbage not yet collected does not count against the limit; what a collection leaves does.
  if (exceedsMemoryLimit(memoryBytes, ramBytes)) {
    await collectGarbage();
    memoryBytes = ownMemoryBytes(inProcess);
  }
  return {cpuMs: cpuBefore === null || cpuAfter === null ? null : Math.max(0, cpuAfter - cpuBefore), memoryBytes};
}
