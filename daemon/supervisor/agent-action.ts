/** Runs an action that a service's embedded agent handles in-process, with the same timeout, masking and result shape as a command action. */
import type {Clock} from '../core/clock.js';
import {scrub, scrubValue} from './config-values.js';
import {OutputTail} from './output-tail.js';
import type {ActionOutputLine, ActionResult} from './types.js';

export type AgentActionOutcome = {ok: true; result: unknown} | {ok: false; error: string};

export interface AgentActionRequest {
  action: string;
  args: Record<string, string>;
  /** Aborted on timeout or cancellation: stop waiting for the agent. */
  signal: AbortSignal;
  /** One line the handler logged. */
  onOutput(text: string): void;
}

/** The daemon's side of the embedded agents, as far as actions go. */
export interface AgentActionRunner {
  /** The actions the service's connected agent handles; null when none is connected. */
  actions(namespace: string, name: string): string[] | null;
  /** Resolves with what the handler returned or threw; rejects when no agent of the service is connected, or once `signal` aborts. */
  run(namespace: string, name: string, request: AgentActionRequest): Promise<AgentActionOutcome>;
}

export interface AgentActionSpec {
  namespace: string;
  name: string;
  action: string;
  args: Record<string, string>;
  timeoutMs: number;
  secrets: readonly string[];
  signal?: AbortSignal;
  onOutput?: (line: ActionOutputLine) => void;
}

export async function runAgentAction(runner: AgentActionRunner, spec: AgentActionSpec, clock: Clock): Promise<ActionResult> {
  const startedAt = clock.now();
  const output = new OutputTail();
  const emit = (text: string) => {
    const line = scrub(text, spec.secrets);
    output.push(line);
    spec.onOutput?.({stream: 'stdout', text: line});
  };
  const controller = new AbortController();
  let timedOut = false;
  const cancelTimer = clock.schedule(spec.timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  const onAbort = () => controller.abort();
  spec.signal?.addEventListener('abort', onAbort);
  const finish = (exitCode: number | null, result: unknown): ActionResult => ({action: spec.action, exitCode, signal: null, timedOut, output: output.text(), durationMs: clock.now() - startedAt, result});
  try {
    const outcome = await runner.run(spec.namespace, spec.name, {action: spec.action, args: spec.args, signal: controller.signal, onOutput: (text) => text.split('\n').forEach(emit)});
    if (outcome.ok) return finish(0, scrubValue(outcome.result ?? null, spec.secrets));
    emit(`error: ${outcome.error}`);
    return finish(1, null);
  } catch (error) {
    // The agent gave no answer in time (or the caller went away): what it does next is not waited for.
    if (controller.signal.aborted) return finish(null, null);
    throw error;
  } finally {
    cancelTimer();
    spec.signal?.removeEventListener('abort', onAbort);
  }
}
