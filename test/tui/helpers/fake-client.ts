import {CapsuleError} from '../../../src/lib/errors.js';
import type {EventListener} from '../../../src/client/client.js';
import {topicOf, type EventArgs, type EventName, type Events, type MethodName, type ParamsOf, type ResultOf} from '../../../src/protocol/index.js';
import type {DashboardClient} from '../../../tui/client.js';

export type Handlers = {[M in MethodName]?: (params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>};

/**
 * Stands in for DaemonClient: answers from `handlers` (a method without one gets the
 * daemon's "unknown method" error), records every call, and lets a test push events and
 * drop the connection.
 */
export class FakeClient implements DashboardClient {
  readonly calls: {method: string; params: unknown}[] = [];
  readonly topics = new Set<string>();
  private readonly listeners = new Set<EventListener>();
  private readonly closeListeners = new Set<(error?: Error) => void>();
  closed = false;

  constructor(public handlers: Handlers = {}) {}

  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    this.calls.push({method, params});
    if (this.closed) return Promise.reject(new CapsuleError('daemon_unreachable', 'the connection to the daemon is closed'));
    if (method === 'subscribe' || method === 'unsubscribe') {
      const {topics} = params as {topics: string[]};
      for (const topic of topics) {
        if (method === 'subscribe') this.topics.add(topic);
        else this.topics.delete(topic);
      }
      return Promise.resolve({topics} as ResultOf<M>);
    }
    const handler = this.handlers[method] as ((params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>) | undefined;
    if (!handler) return Promise.reject(new CapsuleError('bad_request', `unknown method "${method}"`));
    try {
      return Promise.resolve(handler(params));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async subscribe(topics: string[]): Promise<void> {
    await this.call('subscribe', {topics});
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Delivers an event the way the daemon would, to subscribed topics only. */
  emit<E extends EventName>(event: E, data: Events[E]): void {
    if (this.topics.has(topicOf(event))) this.deliver(event, data);
  }

  /** Delivers an event meant for this connection alone, as the daemon sends an action's output to its caller. */
  deliver<E extends EventName>(event: E, data: Events[E]): void {
    const args = [event, data] as EventArgs;
    for (const listener of this.listeners) listener(...args);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  callsOf(method: string): unknown[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.params);
  }

  /** The daemon went away. */
  drop(): void {
    this.close(new Error('socket closed'));
  }

  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener(error);
    this.closeListeners.clear();
  }
}
