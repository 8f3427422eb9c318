import {toCapsuleError} from '../lib/errors.js';
import {isFinalRunStatus, type RunRecord, type StepRecord} from '../protocol/index.js';
import {ask} from './ask.js';

/** What answering needs of the daemon: `run.steps` and `run.answer` (DaemonClient.call narrowed to them). */
export interface PromptAnswerer {
  call(method: 'run.steps', params: {id: string}): Promise<{steps: StepRecord[]}>;
  call(method: 'run.answer', params: {id: string; step?: string; value: string}): Promise<RunRecord>;
}

export interface AttachedPromptsOptions {
  /** Ask on the terminal; false: only say what the run asks and how to answer it from another shell. */
  interactive: boolean;
  /** Where the questions' notes go (standard error). */
  write(text: string): void;
}

/**
 * The questions (`ctx.prompt`) of the run an attached `capsule run` follows, asked on its
 * terminal one at a time, in the order the run asked them, and answered with `run.answer`. An
 * answer the daemon refuses (not one of the choices) is shown and asked again. A question
 * answered elsewhere (`capsule answer`, the dashboard), timed out or of a run that ended is
 * withdrawn from the terminal. Fed by the follower's `run.step` and `run.updated` events.
 */
export class AttachedPrompts {
  readonly #client: PromptAnswerer;
  readonly #options: AttachedPromptsOptions;
  /** The followed run, known from its first event (the connection carries that run's only). */
  #runId: string | null = null;
  /** Prompts that wait for an answer, by step key, in the order they came. */
  readonly #waiting = new Map<string, StepRecord>();
  /** Off a terminal (or once its input ended): the prompts already told about. */
  readonly #told = new Set<string>();
  #asking: {key: string; withdraw: AbortController} | null = null;
  #interactive: boolean;
  #closed = false;
  /** Nothing is asked before `begin()`: the command first says what it submitted. */
  #begun = false;
  #wasWaiting = false;

  constructor(client: PromptAnswerer, options: AttachedPromptsOptions) {
    this.#client = client;
    this.#options = options;
    this.#interactive = options.interactive;
  }

  /** A step of the run was recorded or changed. */
  onStep(step: StepRecord): void {
    if (step.kind !== 'prompt' || this.#closed) return;
    this.#runId = step.runId;
    if (step.status === 'waiting') {
      if (this.#waiting.has(step.key)) return;
      this.#waiting.set(step.key, step);
      this.#next();
    } else {
      this.#withdraw(step.key);
    }
  }

  /**
   * The run's record changed. A run that ended asks nothing more; one that left `waiting` may
   * have been answered by a request whose step event this connection has not seen (or never
   * will, across a daemon restart): its steps are read again to tell.
   */
  onUpdate(run: RunRecord): void {
    if (this.#closed) return;
    if (isFinalRunStatus(run.status)) return this.close();
    if (run.status === 'waiting') this.#wasWaiting = true;
    else if (this.#wasWaiting) {
      this.#wasWaiting = false;
      if (this.#waiting.size > 0) void this.#reconcile();
    }
  }

  /** Starts asking (events may come before the submit's reply is read, and are kept until then). */
  begin(): void {
    this.#begun = true;
    this.#next();
  }

  /** Withdraws the question on screen, if any; nothing more is asked. */
  close(): void {
    this.#closed = true;
    this.#asking?.withdraw.abort();
    this.#waiting.clear();
  }

  async #reconcile(): Promise<void> {
    let steps: StepRecord[];
    try {
      ({steps} = await this.#client.call('run.steps', {id: this.#runId!}));
    } catch {
      return; // The follower reports a lost connection; a run pruned meanwhile has ended anyway.
    }
    const open = new Set(steps.filter((step) => step.kind === 'prompt' && step.status === 'waiting').map((step) => step.key));
    for (const key of [...this.#waiting.keys()]) if (!open.has(key)) this.#withdraw(key);
  }

  #withdraw(key: string): void {
    this.#waiting.delete(key);
    if (this.#asking?.key === key) this.#asking.withdraw.abort();
  }

  #next(): void {
    if (this.#closed || !this.#begun || this.#asking !== null) return;
    if (!this.#interactive) {
      for (const step of this.#waiting.values()) this.#tell(step);
      return;
    }
    const step = this.#waiting.values().next().value;
    if (step === undefined) return;
    const asking = {key: step.key, withdraw: new AbortController()};
    this.#asking = asking;
    void this.#askUntilAnswered(step, asking.withdraw.signal).finally(() => {
      this.#asking = null;
      this.#next();
    });
  }

  async #askUntilAnswered(step: StepRecord, withdrawn: AbortSignal): Promise<void> {
    for (;;) {
      const reply = await ask(step.prompt!, withdrawn);
      if (withdrawn.aborted) return;
      if (reply === null) {
        // The terminal's input ended (Ctrl-D): the run keeps waiting for an answer from elsewhere.
        this.#interactive = false;
        return;
      }
      try {
        await this.#client.call('run.answer', {id: step.runId, step: step.key, value: reply});
        this.#waiting.delete(step.key);
        return;
      } catch (error) {
        if (withdrawn.aborted || !this.#waiting.has(step.key)) return;
        const failure = toCapsuleError(error);
        this.#options.write(`✗ ${failure.message}${failure.hint === undefined ? '' : ` (${failure.hint})`}\n`);
        if (failure.code !== 'bad_input') {
          this.#interactive = false;
          return;
        }
      }
    }
  }

  /** Off a terminal: the question, and how to answer it, once. */
  #tell(step: StepRecord): void {
    if (this.#told.has(step.key)) return;
    this.#told.add(step.key);
    const prompt = step.prompt!;
    const choices = prompt.choices === null ? '' : ` [${prompt.choices.join('/')}]`;
    const fallback = prompt.default === null ? '' : prompt.secret ? ' (a default is set)' : ` (default ${prompt.default})`;
    this.#options.write(`? ${prompt.question}${choices}${fallback}\n  ${step.runId} waits for an answer: \`capsule answer ${step.runId}${this.#waiting.size > 1 ? ` --step ${step.key}` : ''}\`\n`);
  }
}
