/**
 * One connected agent: what it registered, what it last reported, and the requests the daemon
 * has for it. Requests wait in a queue until the agent's long poll (`agent.next`) takes them;
 * each is settled by the agent's reply, by the caller giving up, or by the session ending.
 */
import {randomUUID} from 'node:crypto';
import {CapsuleError} from '../../src/lib/errors.js';
import {MAX_AGENT_METRICS, type AgentActionInfo, type AgentHealth, type AgentOutcome, type AgentRequest, type AgentStatus} from '../../src/protocol/index.js';

/** Requests sent to one agent and not yet answered; more are refused rather than queued without bound. */
export const MAX_PENDING_REQUESTS = 64;

/** A request before it is given its id. */
export type RequestBody = AgentRequest extends infer R ? (R extends AgentRequest ? Omit<R, 'id'> : never) : never;

export interface AgentManifest {
  pid: number;
  version: string | null;
  actions: AgentActionInfo[];
}

interface Pending {
  settle(outcome: AgentOutcome | Error): void;
  onOutput?: (text: string) => void;
}

export class AgentSession {
  readonly id = randomUUID();
  private lastHeartbeatAt: number;
  private health: AgentHealth | null = null;
  private readonly metrics = new Map<string, number>();
  private readonly queue: AgentRequest[] = [];
  private poll: ((requests: AgentRequest[] | Error) => void) | null = null;
  private readonly pending = new Map<string, Pending>();
  private ended: string | null = null;

  constructor(
    readonly target: string,
    readonly connectionId: number,
    readonly manifest: AgentManifest,
    private readonly connectedAt: number,
    /** A remote agent's IP address; null on the daemon's own socket. */
    readonly address: string | null = null,
  ) {
    this.lastHeartbeatAt = connectedAt;
  }

  get actionNames(): string[] {
    return this.manifest.actions.map((action) => action.name);
  }

  /** The agent's long poll: resolves with the waiting requests once there is one. A newer poll answers an older one with nothing. */
  next(): Promise<AgentRequest[]> {
    if (this.ended !== null) return Promise.reject(this.endedError());
    this.poll?.([]);
    this.poll = null;
    if (this.queue.length > 0) return Promise.resolve(this.queue.splice(0));
    return new Promise((resolve, reject) => {
      this.poll = (requests) => (requests instanceof Error ? reject(requests) : resolve(requests));
    });
  }

  /**
   * Asks the agent to do something and resolves with its answer. Rejects when the session ends
   * first, when `signal` aborts (the caller stopped waiting), or when too many requests are
   * already pending.
   */
  ask(body: RequestBody, options: {signal?: AbortSignal; onOutput?: (text: string) => void} = {}): Promise<AgentOutcome> {
    if (this.ended !== null) return Promise.reject(this.endedError());
    if (this.pending.size >= MAX_PENDING_REQUESTS) {
      return Promise.reject(new CapsuleError('conflict', `the agent of ${this.target} has ${MAX_PENDING_REQUESTS} requests unanswered`, {hint: 'wait for them to finish, or restart the service'}));
    }
    if (options.signal?.aborted) return Promise.reject(abortError(options.signal));
    const request = {id: randomUUID(), ...body} as AgentRequest;
    return new Promise<AgentOutcome>((resolve, reject) => {
      const onAbort = () => this.settle(request.id, abortError(options.signal!));
      options.signal?.addEventListener('abort', onAbort, {once: true});
      this.pending.set(request.id, {
        settle: (outcome) => {
          options.signal?.removeEventListener('abort', onAbort);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
        onOutput: options.onOutput,
      });
      this.queue.push(request);
      if (this.poll) {
        const poll = this.poll;
        this.poll = null;
        poll(this.queue.splice(0));
      }
    });
  }

  /** False when no request with that id is waiting (answered already, or given up on). */
  reply(id: string, outcome: AgentOutcome): boolean {
    return this.settle(id, outcome);
  }

  output(id: string, text: string): boolean {
    const pending = this.pending.get(id);
    pending?.onOutput?.(text);
    return pending !== undefined;
  }

  /** Records a heartbeat; refuses metric names beyond MAX_AGENT_METRICS without recording anything. */
  beat(now: number, health?: AgentHealth, metrics?: Record<string, number>): void {
    const fresh = Object.keys(metrics ?? {}).filter((name) => !this.metrics.has(name));
    if (this.metrics.size + fresh.length > MAX_AGENT_METRICS) {
      throw new CapsuleError('bad_input', `the agent of ${this.target} reported ${this.metrics.size + fresh.length} metric names; at most ${MAX_AGENT_METRICS} are kept`, {hint: 'report fewer, aggregated metrics'});
    }
    this.lastHeartbeatAt = now;
    if (health) this.health = health;
    for (const [name, value] of Object.entries(metrics ?? {})) this.metrics.set(name, value);
  }

  status(): AgentStatus {
    return {
      pid: this.manifest.pid,
      version: this.manifest.version,
      actions: this.manifest.actions,
      connectedAt: new Date(this.connectedAt).toISOString(),
      lastHeartbeatAt: new Date(this.lastHeartbeatAt).toISOString(),
      health: this.health,
      metrics: Object.fromEntries(this.metrics),
    };
  }

  /** Fails everything still waiting on this agent. */
  end(reason: string): void {
    if (this.ended !== null) return;
    this.ended = reason;
    const error = this.endedError();
    this.poll?.(error);
    this.poll = null;
    this.queue.length = 0;
    for (const id of [...this.pending.keys()]) this.settle(id, error);
  }

  private settle(id: string, outcome: AgentOutcome | Error): boolean {
    const pending = this.pending.get(id);
    if (!pending) return false;
    this.pending.delete(id);
    const queued = this.queue.findIndex((request) => request.id === id);
    if (queued !== -1) this.queue.splice(queued, 1);
    pending.settle(outcome);
    return true;
  }

  private endedError(): CapsuleError {
    return new CapsuleError('conflict', `the agent of ${this.target} is gone: ${this.ended}`, {hint: `check that ${this.target} is running`});
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the request was given up on');
}
