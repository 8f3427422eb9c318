/** `capsule action`: runs a service's declared command actions and audits each run. */
import {CapsuleError} from '../../src/lib/errors.js';
import {didYouMean} from '../../src/lib/suggest.js';
import {runCommandAction} from './action-runner.js';
import type {Clock} from './clock.js';
import {commandArgv} from './service-env.js';
import type {ServiceUnit} from './service-unit.js';
import type {ActionOutputLine, ActionResult, AuditKind} from './types.js';

export interface RunActionOptions {
  /** Each line of output as it comes, secrets masked. */
  onOutput?: (line: ActionOutputLine) => void;
  /** Aborting stops the action's process group. */
  signal?: AbortSignal;
}

type Audit = (unit: ServiceUnit, kind: AuditKind, details: Record<string, unknown>) => void;

export class ServiceActions {
  private readonly running = new Set<{controller: AbortController; done: Promise<unknown>}>();

  constructor(
    private readonly clock: Clock,
    private readonly audit: Audit,
  ) {}

  async run(unit: ServiceUnit, action: string, args: Record<string, string>, options: RunActionOptions): Promise<ActionResult> {
    const definition = unit.definition;
    const declared = definition.config.actions[action];
    if (!declared) {
      const names = Object.keys(definition.config.actions);
      const suggestion = didYouMean(action, names);
      throw new CapsuleError('not_found', `${definition.target} declares no action "${action}"`, {
        hint: suggestion ? `did you mean "${suggestion}"?` : names.length > 0 ? `its actions: ${names.join(', ')}` : `declare it as [services.${definition.name}.actions.${action}]`,
      });
    }
    if (declared.command === null) {
      throw new CapsuleError('conflict', `action ${action} of ${definition.target} has no command: it is handled by the service's embedded agent, and none is connected`, {
        hint: `check that ${definition.target} is running and uses the capsule/service agent`,
      });
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort);
    const done = (async () => {
      const env = await definition.environment();
      return runCommandAction(
        {action, argv: commandArgv(declared.command!), cwd: definition.cwd, env, args, timeoutMs: declared.timeoutMs, secrets: definition.secrets(), signal: controller.signal, onOutput: options.onOutput},
        this.clock,
      );
    })();
    const entry = {controller, done};
    this.running.add(entry);
    try {
      const result = await done;
      this.audit(unit, 'action', {action, args, exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, durationMs: result.durationMs});
      return result;
    } catch (error) {
      this.audit(unit, 'action', {action, args, error: (error as Error).message});
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
