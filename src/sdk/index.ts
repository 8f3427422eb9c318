/**
 * The `capsule` module that task code imports. The daemon resolves the bare specifier
 * "capsule" to this bundle, so user projects need nothing installed. Dependency-free.
 */
import {FATAL_BRAND, TASK_BRAND} from './brand.js';
import type {TaskContext} from './context.js';
import type {TaskOptions} from './options.js';

export type {BackoffOptions, Compute, Duration, ScheduleOptions, TaskOptions} from './options.js';
export type {ChildRun, PromptOptions, StepOptions, TaskContext, WaitOptions} from './context.js';

export type TaskFunction<Input, Output> = (input: Input, ctx: TaskContext) => Output | Promise<Output>;

/** What `task()` returns; export it from an entry module to declare the task. */
export interface TaskDefinition<Input = unknown, Output = unknown> {
  readonly [TASK_BRAND]: true;
  readonly options: Readonly<TaskOptions>;
  readonly run: TaskFunction<Input, Output>;
}

/** Declares a task. The export's name is the task's name unless `options.name` says otherwise. */
export function task<Input = unknown, Output = unknown>(fn: TaskFunction<Input, Output>): TaskDefinition<Input, Output>;
export function task<Input = unknown, Output = unknown>(options: TaskOptions, fn: TaskFunction<Input, Output>): TaskDefinition<Input, Output>;
export function task<Input, Output>(
  optionsOrFn: TaskOptions | TaskFunction<Input, Output>,
  maybeFn?: TaskFunction<Input, Output>,
): TaskDefinition<Input, Output> {
  const [options, fn] = typeof optionsOrFn === 'function' ? [{}, optionsOrFn] : [optionsOrFn, maybeFn];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`task(options, fn): expected an options object, got ${describe(options)}`);
  }
  if (typeof fn !== 'function') {
    throw new TypeError(`task(options, fn): expected a function as the second argument, got ${describe(fn)}`);
  }
  return Object.freeze({[TASK_BRAND]: true as const, options: Object.freeze({...options}), run: fn});
}

/** Throw it from a task to fail the run at once: the attempt is not retried. */
export class FatalError extends Error {
  readonly [FATAL_BRAND] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FatalError';
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** Thrown by `ctx.waitFor` and `ctx.prompt` when their timeout passes with no signal or answer; catch it to go on without one. */
export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * An attempt called its steps otherwise than earlier attempts of its run recorded them (a step
 * renamed, removed or moved by an edit between attempts). The run fails, not retried: restart it
 * to run the new code from its first step.
 */
export class NondeterminismError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NondeterminismError';
  }
}
