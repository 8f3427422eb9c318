/**
 * The agent a service embeds: registers with the daemon, beats, reports, applies config changes
 * and runs actions, and reconnects (re-registering) whenever the daemon goes away and comes
 * back. Nothing it holds keeps the process alive once it is connected.
 */
import {CapsuleError, toCapsuleError} from '../lib/errors.js';
import {MAX_ACTION_RESULT_BYTES, type ConfigValue, type AgentOutcome, type AgentRequest} from '../protocol/index.js';
import {AgentLink, type Manifest} from './agent-link.js';
import type {AgentIdentity} from './identity.js';
import {reconnectDelay} from './reconnect.js';
import {Reports} from './reports.js';

/** How long `agent()` keeps trying to register before it rejects (the service may be up before the daemon notices it). */
export const FIRST_REGISTRATION_TIMEOUT_MS = 10_000;

export type ConfigValues = Readonly<Record<string, ConfigValue>>;
export type ActionHandler = (args: Record<string, string>, context: ActionContext) => unknown;

export interface ActionContext {
  readonly action: string;
  /** Streams a line of output to whoever runs the action (`capsule action` prints it). */
  log(text: string): void;
}

export interface AgentHooks {
  actions: Record<string, ActionHandler>;
  onConfig?: (values: ConfigValues, changed: string[]) => void | Promise<void>;
  onError?: (error: Error) => void;
}

/** Errors that will not go away by trying again. */
const FINAL_CODES = new Set(['bad_request', 'bad_input', 'protocol_mismatch']);

export class ServiceAgent {
  private link: AgentLink | null = null;
  private values: ConfigValues = Object.freeze({});
  private readonly reports = new Reports();
  private beating: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private configChanges: Promise<void> = Promise.resolve();
  private registered = false;
  private closed = false;

  constructor(
    readonly identity: AgentIdentity,
    private readonly manifest: Manifest,
    private readonly hooks: AgentHooks,
  ) {}

  get config(): ConfigValues {
    return this.values;
  }

  get connected(): boolean {
    return this.link !== null;
  }

  /** The first registration: retried while the daemon may still be catching up, up to FIRST_REGISTRATION_TIMEOUT_MS. */
  async start(): Promise<void> {
    const deadline = Date.now() + FIRST_REGISTRATION_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.connect();
        return;
      } catch (error) {
        const failure = toCapsuleError(error);
        if (this.closed || FINAL_CODES.has(failure.code) || Date.now() + reconnectDelay(attempt) > deadline) throw failure;
        await new Promise((resolve) => setTimeout(resolve, reconnectDelay(attempt)));
      }
    }
  }

  health(ok: boolean, detail: string | null): void {
    this.reports.setHealth({ok, detail});
    this.beat();
  }

  metric(name: string, value: number): void {
    this.reports.setMetric(name, value);
  }

  close(): void {
    this.closed = true;
    this.stopBeating();
    if (this.retry) clearTimeout(this.retry);
    this.link?.close();
    this.link = null;
  }

  private async connect(): Promise<void> {
    const link = await AgentLink.open(this.identity, this.manifest, {request: (request, from) => this.handle(request, from), lost: (from, replacedBy) => this.lost(from, replacedBy)});
    if (this.closed) {
      link.close();
      return;
    }
    this.link = link;
    this.reports.resendAll();
    const changed = changedKeys(this.values, link.registration.config);
    this.values = Object.freeze({...link.registration.config});
    // On a re-registration, values that differ from what the service had reach it as a change.
    if (this.registered && changed.length > 0) this.queueConfig(changed);
    this.registered = true;
    this.stopBeating();
    this.beating = setInterval(() => this.beat(), link.registration.heartbeatIntervalMs).unref();
    this.beat();
  }

  private lost(link: AgentLink, replacedBy: Error | null): void {
    if (this.link !== link) return;
    this.link = null;
    this.stopBeating();
    // Another process took the service's place: fighting it back would go on forever.
    if (replacedBy) this.report(new CapsuleError('conflict', `the daemon ended this agent's session of ${this.identity.service} (${replacedBy.message}); this agent stops`, {hint: 'another process registered as the service, or its token was revoked or rotated'}));
    else this.reconnect(0);
  }

  /** Until registered again, or refused for good (a token revoked or replaced meanwhile): trying again would not help. */
  private reconnect(attempt: number): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        this.report(error);
        if (!FINAL_CODES.has(toCapsuleError(error).code)) this.reconnect(attempt + 1);
      });
    }, reconnectDelay(attempt)).unref();
  }

  private beat(): void {
    const link = this.link;
    if (!link) return;
    link.heartbeat(this.reports.take()).catch((error: unknown) => {
      this.reports.resendAll();
      this.report(error);
    });
  }

  private handle(request: AgentRequest, link: AgentLink): void {
    const outcome = request.kind === 'config' ? this.applyConfig(request.values, [request.key]) : this.runAction(request.id, request.action, request.args, link);
    void outcome.then((settled) => link.reply(request.id, settled)).catch((error: unknown) => this.report(error));
  }

  /** Changes apply one at a time, in the order they were made. */
  private applyConfig(values: Record<string, ConfigValue>, changed: string[]): Promise<AgentOutcome> {
    const applied = this.configChanges.then(async (): Promise<AgentOutcome> => {
      this.values = Object.freeze({...values});
      try {
        await this.hooks.onConfig?.(this.values, changed);
        return {ok: true, result: null};
      } catch (error) {
        return {ok: false, error: error instanceof Error ? error.message : String(error)};
      }
    });
    this.configChanges = applied.then(() => undefined);
    return applied;
  }

  private queueConfig(changed: string[]): void {
    void this.applyConfig(this.values, changed).then((outcome) => {
      if (!outcome.ok) this.report(new CapsuleError('failed', `onConfig failed for ${changed.join(', ')}: ${outcome.error}`));
    });
  }

  private async runAction(id: string, action: string, args: Record<string, string>, link: AgentLink): Promise<AgentOutcome> {
    const handler = this.hooks.actions[action];
    if (!handler) return {ok: false, error: `this agent has no handler for action "${action}"`};
    let result: unknown;
    try {
      result = await handler(args, {action, log: (text) => link.output(id, String(text))});
    } catch (error) {
      return {ok: false, error: error instanceof Error ? error.message : String(error)};
    }
    return resultOutcome(action, result);
  }

  private stopBeating(): void {
    if (this.beating) clearInterval(this.beating);
    this.beating = null;
  }

  private report(error: unknown): void {
    if (this.closed) return;
    try {
      this.hooks.onError?.(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // The service's own error hook failing must not take the agent down.
    }
  }
}

/** A result travels as JSON: say so when it cannot, or would not fit in a message. */
function resultOutcome(action: string, result: unknown): AgentOutcome {
  let json: string | undefined;
  try {
    json = JSON.stringify(result ?? null);
  } catch (error) {
    return {ok: false, error: `action ${action} returned a value that is not JSON: ${(error as Error).message}`};
  }
  const bytes = Buffer.byteLength(json ?? 'null');
  if (bytes > MAX_ACTION_RESULT_BYTES) return {ok: false, error: `action ${action} returned ${bytes} bytes of JSON; at most ${MAX_ACTION_RESULT_BYTES} are accepted`};
  return {ok: true, result: json === undefined ? null : JSON.parse(json)};
}

function changedKeys(before: ConfigValues, after: Record<string, ConfigValue>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => before[key] !== after[key]);
}
