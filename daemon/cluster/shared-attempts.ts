import {createHash} from 'node:crypto';
import {relative} from 'node:path';
import {DelayedError, Queue, Worker, type Job} from 'bullmq';
import {Redis} from 'ioredis';
import {ADHOC_NAMESPACE} from '../../src/config/adhoc-file.js';
import type {BackendSettings} from '../../src/config/backend.js';
import {CapsuleError, toCapsuleError} from '../../src/lib/errors.js';
import type {Logger} from '../core/logger.js';
import type {AttemptHooks, AttemptOutcome, AttemptRequest, DurableOp, Executor, MemoStep, OrphanedAttempt, StopSignal} from '../runner/executor-api.js';
import {StopSwitch} from '../runner/stop-switch.js';
import {crashedOutcome} from '../runner/submission.js';
import {attemptRequest, type TaskSpec} from '../runner/task-spec.js';
import {backendFailure, KEY_PREFIX} from './backend.js';
import type {NodeCalls} from './node-calls.js';

/** What this node has of a project: the runner's side, given once the runner is made. */
export interface LocalTasks {
  /** The task as this node has it, and its project's directory. */
  task(namespace: string, task: string): {spec: TaskSpec; root: string} | undefined;
  /** The run's steps as recorded now: an attempt taken over replays what the node before it recorded. */
  memo(runId: string): MemoStep[];
}

/** One attempt of one of this node's runs, queued or running on some node. */
interface Owned {
  request: AttemptRequest;
  hooks: AttemptHooks;
  signal: StopSignal;
  resolve(outcome: AttemptOutcome): void;
  /** The node running it; null until one began it. */
  node: string | null;
}

interface JobData {
  owner: string;
  runId: string;
  attempt: number;
  namespace: string;
  task: string;
  input: unknown;
  /** The owner's specHash of the task: another copy of it does not run the attempt. */
  spec: string;
}

/**
 * Jobs a node's worker holds per attempt it may run at once. Each job costs round trips to Redis
 * (taken, begun, finished) that a worker with no job in hand waits out; a few in hand, waiting for
 * a slot here, keep the slots busy. More would keep jobs from idle nodes.
 */
const JOBS_IN_HAND = 4;

/** How long an awaited child may take before the node running its parent asks again (under the calls' own timeout). */
const AWAIT_CHILD_POLL_MS = 30_000;

const cancelled = (message: string): AttemptOutcome => ({ok: false, error: {type: 'cancelled', message, stack: null}, fatal: false, cpuMs: null, peakMemoryMb: null});
const failed = (message: string): AttemptOutcome => ({ok: false, error: {type: 'error', message, stack: null}, fatal: false, cpuMs: null, peakMemoryMb: null});
const interrupted = (message: string): AttemptOutcome => ({ok: false, error: {type: 'interrupted', message, stack: null}, fatal: false, cpuMs: null, peakMemoryMb: null});

/** What must be the same for two nodes' copies of a task to run each other's attempts: where its code is, and how it is run. */
export function specHash(spec: TaskSpec, root: string): string {
  const {exportName, isolation, limits, sandbox, env} = spec;
  const shape = {module: relative(root, spec.modulePath), exportName, isolation, limits, sandbox, env: Object.keys(env).sort()};
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

/**
 * Attempts as BullMQ jobs, so that every node with a run's project shares its runs' work. The
 * node a run was submitted to keeps it (its record, steps, logs, retries and locks, as alone) and
 * queues each attempt on its project's queue; any node serving that project (its tasks loaded)
 * takes it, runs it in its own pools with the task's limits, and reports back over node calls:
 * log lines and progress as notes, durable steps and child runs as calls answered once the owner
 * has them on disk, and the outcome. A node that dies while running one stops renewing its job's
 * lock, and once the lock is out (a lease) BullMQ hands the job to another node, which begins it
 * again with the steps recorded so far: delivery is at least once. The owner's own attempts,
 * when its own worker takes them, skip the calls.
 */
export class SharedAttempts implements Executor {
  readonly #local: Executor;
  readonly #backend: BackendSettings;
  readonly #node: string;
  readonly #leaseMs: number;
  readonly #concurrency: number;
  readonly #calls: NodeCalls;
  readonly #logger: Logger;
  readonly #queueConnection: Redis;
  readonly #nodeUp: (node: string) => boolean;
  /** Each lease: the attempts whose node was lost with their job (its outcome never comes) are settled. */
  readonly #sweep: NodeJS.Timeout;
  readonly #queues = new Map<string, Queue>();
  readonly #workers = new Map<string, {worker: Worker; connection: Redis}>();
  readonly #owned = new Map<string, Owned>();
  /** Attempts running here, of any node's runs, by job id. */
  readonly #running = new Map<string, StopSwitch>();
  /** Jobs taken and waiting for one of the `#concurrency` slots. */
  readonly #slotWaiters: Array<() => void> = [];
  #slotsUsed = 0;
  #tasks: LocalTasks | null = null;
  #closing = false;

  constructor(options: {local: Executor; backend: BackendSettings; node: string; leaseMs: number; concurrency: number; calls: NodeCalls; nodeUp: (node: string) => boolean; logger: Logger}) {
    this.#local = options.local;
    this.#backend = options.backend;
    this.#node = options.node;
    this.#leaseMs = options.leaseMs;
    this.#concurrency = options.concurrency;
    this.#calls = options.calls;
    this.#logger = options.logger;
    this.#nodeUp = options.nodeUp;
    this.#sweep = setInterval(() => void this.#settleLost(), options.leaseMs);
    // BullMQ waits on its connections for as long as it takes: no per-request retry limit.
    this.#queueConnection = new Redis(options.backend.url, {maxRetriesPerRequest: null});
    this.#queueConnection.on('error', () => {}); // The daemon's own connection reports the backend's troubles.
    this.#serveOwnerCalls();
    this.#calls.serve('attempt.cancel', (params) => this.#running.get((params as {jobId: string}).jobId)?.abort());
  }

  /** Attempts running on this node now (its own runs' and other nodes'), jobs in hand aside. */
  get executing(): number {
    return this.#slotsUsed;
  }

  attach(tasks: LocalTasks): void {
    this.#tasks = tasks;
  }

  /** The project's tasks are loaded here (take its attempts) or no longer are (stop taking them). */
  tasksChanged(namespace: string, loaded: boolean): void {
    if (this.#closing) return;
    const worker = this.#workers.get(namespace);
    if (loaded && worker === undefined && namespace !== ADHOC_NAMESPACE) {
      const connection = new Redis(this.#backend.url, {maxRetriesPerRequest: null});
      connection.on('error', () => {}); // Reported once below, by the worker.
      const created = new Worker(queueName(namespace), (job: Job<JobData>, token?: string) => this.#take(job, token), {
        connection,
        prefix: BULL_PREFIX,
        concurrency: this.#concurrency * JOBS_IN_HAND,
        // A node killed mid-attempt stops renewing the lock; once it is out, another node is given the job.
        lockDuration: this.#leaseMs,
        // BullMQ takes two checks to find a job stalled: half a lease each.
        stalledInterval: Math.max(500, Math.floor(this.#leaseMs / 2)),
        maxStalledCount: Number.MAX_SAFE_INTEGER,
        removeOnComplete: {count: 0},
        removeOnFail: {count: 0},
        name: this.#node,
      });
      // Once per kind of trouble: a backend out of reach fails each of its retries the same way.
      let reported = '';
      created.on('error', (error) => {
        const message = backendFailure(error);
        if (message !== reported) this.#logger.warn(`attempts of ${namespace}: ${message}`);
        reported = message;
      });
      created.on('ready', () => (reported = ''));
      this.#workers.set(namespace, {worker: created, connection});
    } else if (!loaded && worker !== undefined) {
      this.#workers.delete(namespace);
      // Its running attempts finish here (and are not retried, as the runner promises), then it stops taking more.
      void closeWorker(worker, false);
    }
  }

  execute(request: AttemptRequest, hooks: AttemptHooks, signal: StopSignal): Promise<AttemptOutcome> {
    // An ad-hoc task is a file of this machine (`capsule run ./deploy.ts`): another node's of the same name is another task.
    if (request.namespace === ADHOC_NAMESPACE) return this.#local.execute(request, hooks, signal);
    const jobId = `${request.runId}.${request.attempt}`;
    return new Promise<AttemptOutcome>((resolve) => {
      const owned: Owned = {request, hooks, signal, resolve, node: null};
      this.#owned.set(jobId, owned);
      const settle = (outcome: AttemptOutcome) => {
        if (this.#owned.get(jobId) !== owned) return;
        this.#owned.delete(jobId);
        resolve(outcome);
      };
      owned.resolve = settle;
      signal.addEventListener('abort', () => void this.#cancel(jobId, owned), {once: true});
      const tasks = this.#tasks;
      const local = tasks?.task(request.namespace, request.task);
      if (local === undefined) return settle(failed(`task ${request.namespace}/${request.task} is not loaded on node ${this.#node}`));
      const data: JobData = {owner: this.#node, runId: request.runId, attempt: request.attempt, namespace: request.namespace, task: request.task, input: request.input, spec: specHash(local.spec, local.root)};
      this.#queue(request.namespace)
        .add('attempt', data, {jobId, removeOnComplete: true, removeOnFail: true})
        .catch((error: unknown) => settle(failed(`could not queue attempt ${request.attempt} on the backend: ${backendFailure(error)}`)));
    });
  }

  endOrphans(orphans: OrphanedAttempt[]): Promise<{ended: number; left: number}> {
    return this.#local.endOrphans(orphans);
  }

  /**
   * Stops taking attempts and ends those running here: their jobs, no longer renewed, go to
   * another node once their lock is out (this node's own runs' come back to it at its next start,
   * or to the other nodes meanwhile). Then the local pools.
   */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweep);
    for (const stop of this.#running.values()) stop.abort();
    await Promise.allSettled([...this.#workers.values()].map((worker) => closeWorker(worker, true)));
    this.#workers.clear();
    await Promise.allSettled([...this.#queues.values()].map((queue) => queue.close()));
    await this.#queueConnection.quit().catch(() => this.#queueConnection.disconnect());
    await this.#local.close();
  }

  #queue(namespace: string): Queue {
    let queue = this.#queues.get(namespace);
    if (!queue) {
      queue = new Queue(queueName(namespace), {connection: this.#queueConnection, prefix: BULL_PREFIX});
      queue.on('error', () => {});
      this.#queues.set(namespace, queue);
    }
    return queue;
  }

  /**
   * A cancel of one of this node's attempts: taken off the queue if no node began it, else stopped
   * where it runs. Should no outcome come within a lease or two (the node is gone, the backend out
   * of reach), it ends cancelled here: a stop must not wait for ever on another machine.
   */
  async #cancel(jobId: string, owned: Owned): Promise<void> {
    setTimeout(() => owned.resolve(cancelled(`cancelled; node ${owned.node ?? '(none yet)'} did not confirm it`)), 2 * this.#leaseMs).unref();
    if (owned.node === null) {
      const removed = await this.#queue(owned.request.namespace)
        .remove(jobId)
        .catch(() => 0);
      // Begun meanwhile: its begin sees the cancel (#begin).
      if (removed === 1) owned.resolve(cancelled('cancelled before a node began it'));
      return;
    }
    if (owned.node === this.#node) this.#running.get(jobId)?.abort();
    else await this.#calls.call(owned.node, 'attempt.cancel', {jobId}, 'capsule').catch((error: unknown) => this.#logger.warn(`could not cancel attempt ${jobId} on node ${owned.node}: ${toCapsuleError(error).message}`));
  }

  /** A node (this one, or another) begins one of this node's attempts: it gets the steps recorded so far. */
  #begin(jobId: string, node: string): MemoStep[] {
    const owned = this.#owned.get(jobId);
    if (!owned) throw new CapsuleError('conflict', `attempt ${jobId} is not running any more`);
    if (owned.signal.aborted) {
      owned.resolve(cancelled('cancelled before a node began it'));
      throw new CapsuleError('conflict', `attempt ${jobId} was cancelled`);
    }
    if (owned.node !== null && owned.node !== node) {
      // Its run's log says so too: whatever the attempt did outside its steps may be done twice.
      this.#logger.info(`attempt ${jobId}: node ${node} takes it over from node ${owned.node}`);
      owned.hooks.log('warn', `node ${owned.node} stopped running this attempt (lost or stopped); node ${node} runs it again from its recorded steps`);
    }
    owned.node = node;
    return this.#tasks!.memo(owned.request.runId);
  }

  /** Another node's call about one of this node's attempts: only the node running it is heard. */
  #ownedBy(jobId: string, node: string): Owned {
    const owned = this.#owned.get(jobId);
    if (!owned || owned.node !== node) throw new CapsuleError('conflict', `attempt ${jobId} is not node ${node}'s to run (any more)`);
    return owned;
  }

  #serveOwnerCalls(): void {
    type Params = {jobId: string};
    this.#calls.serve('attempt.begin', (params, {from}) => ({memo: this.#begin((params as Params).jobId, from)}));
    this.#calls.serve('attempt.event', (params, {from}) => {
      const {jobId, kind, args} = params as Params & {kind: string; args: unknown[]};
      const {hooks} = this.#ownedBy(jobId, from);
      if (kind === 'log') hooks.log(...(args as Parameters<AttemptHooks['log']>));
      else if (kind === 'progress') hooks.progress(...(args as Parameters<AttemptHooks['progress']>));
      else if (kind === 'request') hooks.request(...(args as Parameters<AttemptHooks['request']>));
      else throw new CapsuleError('bad_request', `no attempt event "${kind}"`);
    });
    this.#calls.serve('attempt.durable', (params, {from}) => {
      const {jobId, op} = params as Params & {op: DurableOp};
      return this.#ownedBy(jobId, from).hooks.durable(op);
    });
    this.#calls.serve('attempt.child', (params, {from}) => {
      const {jobId, task, input} = params as Params & {task: string; input: unknown};
      return this.#ownedBy(jobId, from).hooks.submitChild(task, input);
    });
    this.#calls.serve('attempt.await', async (params, {from}) => {
      const {jobId, runId} = params as Params & {runId: string};
      const child = this.#ownedBy(jobId, from).hooks.awaitChild(runId);
      let timer: NodeJS.Timeout | undefined;
      const pending = new Promise<{done: false}>((resolve) => (timer = setTimeout(() => resolve({done: false}), AWAIT_CHILD_POLL_MS)));
      try {
        return await Promise.race([child.then((value) => ({done: true, value})), pending]);
      } finally {
        clearTimeout(timer);
      }
    });
    this.#calls.serve('attempt.done', (params, {from}) => {
      const {jobId, outcome} = params as Params & {outcome: AttemptOutcome};
      this.#ownedBy(jobId, from).resolve(outcome);
    });
  }

  /** A job this node's worker took: begin it with its owner, check this node's copy of the task, run it, report. */
  async #take(job: Job<JobData>, token: string | undefined): Promise<void> {
    const data = job.data;
    const jobId = job.id!;
    const mine = data.owner === this.#node;
    let memo: MemoStep[];
    try {
      memo = mine ? this.#begin(jobId, this.#node) : ((await this.#calls.call(data.owner, 'attempt.begin', {jobId}, 'capsule')) as {memo: MemoStep[]}).memo;
    } catch (error) {
      // Ended or cancelled meanwhile, or its owner is gone (its next start retries the run): nothing to run.
      this.#logger.info(`attempt ${jobId} of node ${data.owner} not run: ${toCapsuleError(error).message}`);
      return;
    }
    const outcome = await this.#run(jobId, data, memo);
    if (outcome === null) {
      // Ended by this node's stop: back to the queue for another node, not finished.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    if (mine) {
      this.#owned.get(jobId)?.resolve(outcome);
      return;
    }
    await this.#report(jobId, data.owner, outcome);
  }

  /** The outcome to its run's node, tried a few times over a backend's blip; past them, that node settles it itself (#settleLost). */
  async #report(jobId: string, owner: string, outcome: AttemptOutcome): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#calls.call(owner, 'attempt.done', {jobId, outcome}, 'capsule');
        return;
      } catch (error) {
        const failure = toCapsuleError(error);
        // Refused (the attempt is not this node's any more), or out of tries: nothing more to do here.
        if (failure.code === 'conflict' || attempt === 3) {
          this.#logger.warn(`attempt ${jobId}: its outcome did not reach node ${owner}: ${failure.message}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  /** This node's attempts begun by a node now lost whose job is gone too (finished there, its outcome lost): they end failed, to be retried. */
  async #settleLost(): Promise<void> {
    for (const [jobId, owned] of this.#owned) {
      if (owned.node === null || owned.node === this.#node || this.#nodeUp(owned.node)) continue;
      const job = await this.#queue(owned.request.namespace)
        .getJob(jobId)
        .catch(() => null);
      // Still there: BullMQ gives it to another node once its lock is out.
      if (job === undefined) owned.resolve(interrupted(`node ${owned.node} was lost while running this attempt, and its outcome with it`));
    }
  }

  async #run(jobId: string, data: JobData, memo: MemoStep[]): Promise<AttemptOutcome | null> {
    const local = this.#tasks?.task(data.namespace, data.task);
    if (local === undefined) return failed(`node ${this.#node} has no task ${data.namespace}/${data.task} loaded`);
    if (specHash(local.spec, local.root) !== data.spec) {
      return failed(`node ${this.#node}'s copy of ${data.namespace}/${data.task} differs from node ${data.owner}'s (where its module is, its isolation, limits, sandbox or variables): deploy the same project on both`);
    }
    const request = attemptRequest(local.spec, local.root, {runId: data.runId, namespace: data.namespace, task: data.task, attempt: data.attempt, input: data.input, memo});
    const hooks = data.owner === this.#node ? this.#owned.get(jobId)?.hooks : this.#remoteHooks(data.owner, jobId);
    if (hooks === undefined) return null;
    const stop = new StopSwitch();
    this.#running.set(jobId, stop);
    await this.#takeSlot();
    try {
      if (stop.aborted || this.#closing) return this.#closing ? null : cancelled('cancelled before it started');
      const outcome = await this.#local.execute(request, this.#lendingSlot(hooks), stop).catch(crashedOutcome);
      return this.#closing ? null : outcome;
    } finally {
      this.#running.delete(jobId);
      this.#giveSlot();
    }
  }

  /** One of the `#concurrency` attempts this node runs at once: CAPSULE_MAX_PARALLEL, whatever the jobs in hand. */
  #takeSlot(): Promise<void> {
    if (this.#slotsUsed < this.#concurrency) {
      this.#slotsUsed++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#slotWaiters.push(resolve));
  }

  #giveSlot(): void {
    const next = this.#slotWaiters.shift();
    if (next) next();
    else this.#slotsUsed--;
  }

  /** A parent waiting on its children gives its slot up meanwhile, so they find one (as the runner lends it alone): once, however many it awaits. */
  #lendingSlot(hooks: AttemptHooks): AttemptHooks {
    let awaiting = 0;
    return {
      ...hooks,
      awaitChild: async (runId) => {
        if (awaiting++ === 0) this.#giveSlot();
        try {
          return await hooks.awaitChild(runId);
        } finally {
          if (--awaiting === 0) await this.#takeSlot();
        }
      },
    };
  }

  /** What an attempt of another node's run tells and asks its owner. Its worker process is not: a pid means nothing on another machine. */
  #remoteHooks(owner: string, jobId: string): AttemptHooks {
    const note = (kind: string, args: unknown[]) => void this.#calls.notify(owner, 'attempt.event', {jobId, kind, args});
    const ask = (method: 'attempt.durable' | 'attempt.child' | 'attempt.await', params: Record<string, unknown>) => this.#calls.call(owner, method, {jobId, ...params}, 'capsule');
    return {
      log: (level, message) => note('log', [level, message]),
      progress: (current, total, message) => note('progress', [current, total, message]),
      request: (entry) => note('request', [entry]),
      worker: () => {},
      durable: (op) => ask('attempt.durable', {op}) as ReturnType<AttemptHooks['durable']>,
      submitChild: async (task, input) => (await ask('attempt.child', {task, input})) as string,
      awaitChild: async (runId) => {
        for (;;) {
          const reply = (await ask('attempt.await', {runId})) as {done: boolean; value?: unknown};
          if (reply.done) return reply.value;
        }
      },
    };
  }
}

const BULL_PREFIX = `${KEY_PREFIX}bull`;

/** `force`: without waiting for its running jobs (their locks then run out, and other nodes take them). */
async function closeWorker({worker, connection}: {worker: Worker; connection: Redis}, force: boolean): Promise<void> {
  await worker.close(force);
  await connection.quit().catch(() => connection.disconnect());
}

/** One queue per project: a node takes the attempts of the projects it has. */
function queueName(namespace: string): string {
  return `attempts-${namespace}`;
}
