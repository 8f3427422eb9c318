/**
 * `capsule action`: runs a service's actions and audits each run. An action declared with a
 * command runs that command; one declared without a command, or only listed in the manifest of
 * the service's connected agent, is handled by the agent in-process.
 */
import {CapsuleError} from '../../src/lib/errors.js';
import {DAEMON_ACTOR} from '../core/audit-log.js';
import {nearestName} from '../../src/lib/suggest.js';
import {runAgentAction, type AgentActionRunner} from './agent-action.js';
import {runCommandAction} from './action-runner.js';
import type {Clock} from '../core/clock.js';
import {commandArgv} from './service-env.js';
import type {ServiceUnit} from './service-unit.js';
import type {ActionOutputLine, ActionResult, AuditKind} from './types.js';

/** How long an action the agent lists but capsule.toml does not declare may run: the default of a declared one. */
export const UNDECLARED_ACTION_TIMEOUT_MS = 5 * 60_000;
/** An agent action's result is audited whole up to this size (as JSON); a larger one only by its size. */
const MAX_AUDITED_RESULT_BYTES = 2_048;

export interface RunActionOptions {
  /** Each line of output as it comes, secrets masked. */
  onOutput?: (line: ActionOutputLine) => void;
  /** Aborting stops the action's process group (or stops waiting for the agent). */
  signal?: AbortSignal;
  /** Who asked: recorded as the action event's actor. @default DAEMON_ACTOR */
  actor?: string;
}

type Audit = (unit: ServiceUnit, kind: AuditKind, details: Record<string, unknown>, actor: string) => void;

export class ServiceActions {
  private readonly running = new Set<{controller: AbortController; done: Promise<unknown>}>();

  constructor(
    private readonly clock: Clock,
    private readonly audit: Audit,
    private readonly agents?: AgentActionRunner,
  ) {}

  async run(unit: ServiceUnit, action: string, args: Record<string, string>, options: RunActionOptions): Promise<ActionResult> {
    const definition = unit.definition;
    const {namespace, name, target} = definition;
    const declared = definition.config.actions[action];
    const connected = this.agents?.actions(namespace, name) ?? null;
    const listed = connected ?? [];
    if (!declared && !listed.includes(action)) {
      const names = [...new Set([...Object.keys(definition.config.actions), ...listed])];
      const suggestion = nearestName(action, names);
      throw new CapsuleError('not_found', `${target} has no action "${action}"`, {
        hint: suggestion ? `did you mean "${suggestion}"?` : names.length > 0 ? `its actions: ${names.join(', ')}` : `declare it as [services.${name}.actions.${action}]`,
      });
    }
    const command = declared?.command ?? null;
    if (command === null && connected === null) {
      throw new CapsuleError('conflict', `action ${action} of ${target} has no command: it is handled by the service's embedded agent, and none is connected`, {
        hint: `check that ${target} is running and uses the capsule/service agent`,
      });
    }
    if (command === null && !listed.includes(action)) {
      throw new CapsuleError('conflict', `action ${action} of ${target} has no command, and the service's agent does not handle it (it handles: ${listed.join(', ') || 'none'})`, {
        hint: `give agent() an actions.${action} handler, or a command to the action in capsule.toml`,
      });
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort);
    const timeoutMs = declared?.timeoutMs ?? UNDECLARED_ACTION_TIMEOUT_MS;
    const done = (async () => {
      if (command === null) {
        return runAgentAction(this.agents!, {namespace, name, action, args, timeoutMs, secrets: unit.secrets(), signal: controller.signal, onOutput: options.onOutput}, this.clock);
      }
      const env = await definition.environment();
      return runCommandAction(
        {action, argv: commandArgv(command), cwd: definition.cwd, env, args, timeoutMs, secrets: unit.secrets(), signal: controller.signal, onOutput: options.onOutput},
        this.clock,
      );
    })();
    const entry = {controller, done};
    const actor = options.actor ?? DAEMON_ACTOR;
    this.running.add(entry);
    try {
      const result = await done;
      const handled = command === null ? {handledBy: 'agent', result: auditedResult(result.result)} : {};
      this.audit(unit, 'action', {action, args, exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, durationMs: result.durationMs, ...handled}, actor);
      return result;
    } catch (error) {
      this.audit(unit, 'action', {action, args, error: (error as Error).message}, actor);
      throw error;
    } finally {
      this.running.delete(entry);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Stops every running action and waits for them to end. */
  async close(): Promise<void> {
    const entries = [...this.running];
    entries.forEach((entry) => entry.controller.abort());
    await Promise.allSettled(entries.map((entry) => entry.done));
  }
}

function auditedResult(result: unknown): unknown {
  const json = JSON.stringify(result) ?? 'null';
  return Buffer.byteLength(json) <= MAX_AUDITED_RESULT_BYTES ? result : {omitted: `${Buffer.byteLength(json)} bytes of JSON`};
}
