import {CapsuleError} from '../../src/lib/errors.js';
import type {AttemptWorker, EgressRequest, RunLogLine, RunProgress, RunRecord} from '../../src/protocol/index.js';
import type {AttemptHooks, DurableOp, DurableReply} from './executor-api.js';
import type {TaskRef} from '../../src/protocol/index.js';

/** What the hooks of one attempt need from the runner. */
export interface AttemptContext {
  runId: string;
  namespace: string;
  attempt: number;
  now(): number;
  /** The attempt is still the run's running one: late calls from an ended attempt are dropped. */
  isCurrent(): boolean;
  /** The runner numbers the line. */
  log(line: Omit<RunLogLine, 'seq'>): void;
  progress(progress: RunProgress): void;
  submit(target: TaskRef, input: unknown, parentId: string): Promise<RunRecord>;
  waitFor(runId: string): Promise<RunRecord>;
  /** The run blocks on children (true) or no longer does (false): it lends its slot meanwhile. */
  blocked(blocked: boolean): void;
  /** Records the attempt's worker process with the run. */
  recordWorker(worker: AttemptWorker): void;
  /** Records an HTTP request of the attempt with the run. */
  recordRequest(request: EgressRequest): void;
  /** Records a durable step of the attempt; resolves with the reply once on disk. */
  durable(op: DurableOp): Promise<DurableReply>;
}

/** The calls a task makes through `ctx` during one attempt. */
export function attemptHooks(context: AttemptContext): AttemptHooks {
  let awaiting = 0;
  return {
    log(level, message) {
      if (context.isCurrent()) context.log({runId: context.runId, attempt: context.attempt, time: new Date(context.now()).toISOString(), level, message: String(message)});
    },
    progress(current, total, message) {
      if (context.isCurrent()) context.progress({runId: context.runId, current, total, message});
    },
    worker(worker) {
      if (context.isCurrent()) context.recordWorker(worker);
    },
    request(entry) {
      if (context.isCurrent()) context.recordRequest(entry);
    },
    durable(op) {
      // An ended attempt's steps must not be recorded: a later attempt may own the run by now.
      if (!context.isCurrent()) return Promise.reject(new CapsuleError('conflict', `attempt ${context.attempt} of run ${context.runId} has ended; its step ${op.key} is not recorded`));
      return context.durable(op);
    },
    async submitChild(task, input) {
      // "task" runs in the parent's project; "namespace/task" reaches another one.
      const slash = task.indexOf('/');
      const target = slash === -1 ? {namespace: context.namespace, task} : {namespace: task.slice(0, slash), task: task.slice(slash + 1)};
      return (await context.submit(target, input, context.runId)).id;
    },
    async awaitChild(childId) {
      if (awaiting++ === 0) context.blocked(true);
      let child: RunRecord;
      try {
        child = await context.waitFor(childId);
      } finally {
        if (--awaiting === 0) context.blocked(false);
      }
      if (child.status === 'succeeded') return child.result;
      throw new CapsuleError('failed', `child run ${child.id} (${child.namespace}/${child.task}) ${child.status}: ${child.error?.message ?? 'no error recorded'}`, {
        details: {runId: child.id, status: child.status, error: child.error},
      });
    },
  };
}
