/** A run submitted from inside a task with `ctx.submit`. */
export interface ChildRun {
  /** The child run's id (`run_…`). */
  readonly id: string;
  /** Resolves with the child's result once it succeeds; rejects with its error if it fails. */
  result(): Promise<unknown>;
}

import type {BackoffOptions, Duration} from './options.js';

/** `ctx.step(name, fn, options)`: the step's own retries, within the attempt, before its error reaches the task. */
export interface StepOptions {
  /** Tries after the first one failed. @default 0 */
  maxRetries?: number;
  /** Delay between tries. @default the task defaults: 1s, doubling, at most 5m */
  backoff?: BackoffOptions;
}

export interface WaitOptions {
  /** How long to wait at most (required): then the wait throws a WaitTimeoutError. */
  timeout: Duration;
}

export interface PromptOptions extends WaitOptions {
  /** The answers allowed; any text when left out. */
  choices?: string[];
  /** The answer an empty reply gives (one of `choices`, if given). */
  default?: string;
  /** Typed masked; never written to a log, the audit trail or `capsule show`. @default false */
  secret?: boolean;
  /** Tells two prompts of a run apart in `capsule answer RUN --step NAME#N`. @default "prompt" */
  name?: string;
}

/** The second argument of a task function. */
export interface TaskContext {
  /** The run this attempt belongs to. */
  readonly runId: string;
  /** 1 on the first attempt, 2 on the first retry, ... */
  readonly attempt: number;
  /**
   * Sandbox isolation: a directory of this attempt's own, readable and writable, capped in size
   * (`scratch`) and gone when the attempt ends. null in a thread or a process, which write where
   * they like.
   */
  readonly scratchDir: string | null;
  /** Aborted when the run is cancelled or the attempt times out; the worker is terminated shortly after. */
  readonly signal: AbortSignal;
  /** Writes a line to the run's log; arguments are formatted like console.log. */
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  /** Reports progress, e.g. `progress(3, 10, "pages")`. */
  progress(current: number, total?: number, message?: string): void;
  /** Submits a run of another task of this project (with its own limits); await `result()` for its result. */
  submit(taskName: string, input?: unknown): Promise<ChildRun>;
  /**
   * Runs `fn` at most once per run, as far as the run can tell: its JSON result is stored with the
   * run before `step` returns, and later attempts (a retry, a resume after a crash, a sleep or a
   * wait) get it back without calling `fn`. Steps are keyed by name and occurrence (`fetch#1`,
   * `fetch#2`) and must be called in the same order on every attempt. A step that throws is run
   * again by the run's next attempt; `options.maxRetries` retries it within this one first.
   */
  step<T>(name: string, fn: () => T | Promise<T>, options?: StepOptions): Promise<T>;
  /** Sleeps durably: the run is `sleeping`, its worker freed, and it resumes after `duration` ("10m"), even across daemon restarts. */
  sleep(duration: Duration): Promise<void>;
  /** Sleeps durably until `time` (a Date, an ISO 8601 string or epoch milliseconds). */
  sleepUntil(time: Date | string | number): Promise<void>;
  /**
   * Waits durably for the signal `name` (`capsule signal RUN NAME --value JSON`, or
   * `client.signal(runId, name, value)`) and resolves with its value. A signal sent before the
   * run gets here is kept for it. Throws a WaitTimeoutError after `timeout`.
   */
  waitFor<T = unknown>(name: string, options: WaitOptions): Promise<T>;
  /**
   * Asks a person and resolves with the answer: the run is `waiting` until someone answers in an
   * attached `capsule run`, with `capsule answer RUN`, from the dashboard or a client. Throws a
   * WaitTimeoutError after `timeout`.
   */
  prompt(question: string, options: PromptOptions): Promise<string>;
}
