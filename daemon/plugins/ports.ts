import type {RunRecord, RunStatus} from '../../src/protocol/index.js';

/**
 * What the scheduler and the control verbs need from the task runner, so those plugins do
 * not depend on how runs are executed.
 */
export interface RunPort {
  /** `id`: the new run's id, chosen by the caller (see SubmitOptions). */
  submit(namespace: string, task: string, input: unknown, options?: {id?: string}): Promise<RunRecord>;
  /** null when the run is unknown (pruned from history). */
  status(runId: string): RunStatus | null;
  /** Called with each run that reaches a final state. Returns an unsubscribe function. */
  onFinished(listener: (run: RunRecord) => void): () => void;
  /** Throws not_found, with a did-you-mean hint, unless the project declares this task. */
  requireTask(namespace: string, task: string): unknown;
  /** Schedules declared next to task functions: task({schedule}). */
  declaredSchedules(namespace: string): {task: string; option: unknown}[];
}
