import type {ExecutionResult, SessionSummary} from '../protocol/index.js';
import type {DaemonClient} from './client.js';

/** What `stream(code)` yields, in order: output and questions as they come, then one result or error. */
export type SessionMessage =
  | {type: 'output'; stream: 'stdout' | 'stderr'; text: string}
  | {type: 'input'; inputId: string; prompt: string}
  | {type: 'result'; result: ExecutionResult}
  | {type: 'error'; result: ExecutionResult};

export interface ExecuteOptions {
  /** Wall-clock limit of the snippet ("30s"), time waiting for `input()` excepted. */
  timeout?: string | number;
  /** Answers the snippet's `await input(prompt)`; without it such a snippet waits until interrupted. */
  onInput?: (prompt: string) => string | Promise<string>;
  /** Each piece of output as it is written. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** The calls on one code session, by its id: what `capsule exec ID` needs, without first listing sessions. */
export class SessionCalls {
  constructor(
    protected readonly client: DaemonClient,
    readonly id: string,
  ) {}

  /**
   * Runs `code` and resolves once it ended: its value (`value` when JSON carries it, `inspected`
   * as util.inspect prints it), its output, and `error` when it threw, was interrupted or went past
   * a limit (then `replaced` says whether its process had to be killed, losing the namespace).
   */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const {onInput} = options;
    let last: ExecutionResult | null = null;
    const failures: unknown[] = [];
    let ended = false;
    for await (const message of this.stream(code, options)) {
      if (message.type === 'output') options.onOutput?.(message.stream, message.text);
      else if (message.type === 'input' && onInput !== undefined) {
        // Answered beside the stream, not in it: an interrupt while a person thinks must still end the snippet.
        void (async () => {
          try {
            await this.respondInput(message.inputId, await onInput(message.prompt));
          } catch (error) {
            // Once the snippet is over, an interrupt would reach whatever runs next.
            if (ended) return;
            failures.push(error);
            await this.interrupt().catch(() => {});
          }
        })();
      } else if (message.type === 'result' || message.type === 'error') last = message.result;
    }
    ended = true;
    if (failures.length > 0) throw failures[0];
    return last!;
  }

  /** Runs `code`, yielding its output and `input()` questions as they come (answer them with `respondInput`), then its result. */
  async *stream(code: string, {timeout}: Pick<ExecuteOptions, 'timeout'> = {}): AsyncGenerator<SessionMessage> {
    // The global, not node:crypto: the CLI's start must not load the crypto module (test/startup).
    const execution = crypto.randomUUID();
    const pending: SessionMessage[] = [];
    let wake: (() => void) | null = null;
    let failure: unknown = null;
    let done = false;
    const push = (message: SessionMessage) => {
      pending.push(message);
      wake?.();
    };
    const stop = this.client.onEvent((event, data) => {
      if (event === 'session.output' && data.execution === execution) push({type: 'output', stream: data.stream === 'stderr' ? 'stderr' : 'stdout', text: data.text});
      else if (event === 'session.ask' && data.execution === execution) push({type: 'input', inputId: data.inputId, prompt: data.prompt});
    });
    this.client
      .call('session.execute', {id: this.id, code, execution, follow: true, ...(timeout === undefined ? {} : {timeout})})
      .then(
        (result) => push({type: result.error === undefined ? 'result' : 'error', result}),
        (error: unknown) => (failure = error),
      )
      .finally(() => {
        done = true;
        wake?.();
      });
    try {
      for (;;) {
        const next = pending.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (done) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      if (failure !== null) throw failure;
    } finally {
      stop();
    }
  }

  async respondInput(inputId: string, text: string): Promise<void> {
    await this.client.call('session.input', {id: this.id, inputId, text});
  }

  /** Interrupts the snippet running now, if one is: it ends with an `interrupted` error and the namespace is kept. */
  async interrupt(): Promise<void> {
    await this.client.call('session.interrupt', {id: this.id});
  }

  /** The names `expression` (`fo`, `obj.pr`) could complete to in the namespace. */
  async complete(expression: string): Promise<string[]> {
    return (await this.client.call('session.complete', {id: this.id, expression})).names;
  }

  async close(): Promise<void> {
    await this.client.call('session.close', {id: this.id});
  }
}

/**
 * One code session (`client.session()`): a namespace in the daemon that snippets of JavaScript or
 * TypeScript run in, one after another, each seeing what the earlier ones declared.
 */
export class SessionHandle extends SessionCalls {
  constructor(
    client: DaemonClient,
    /** As the session was when it opened. */
    readonly summary: SessionSummary,
  ) {
    super(client, summary.id);
  }
}
