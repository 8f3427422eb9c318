import {topicOf, type EventName, type Events} from '../../src/protocol/index.js';

export type EventSink = (event: EventName, data: unknown) => void;

/**
 * Fans daemon events out to subscribers by topic (`run`, `service`, `project`, ...). A
 * subscriber is usually a client connection; the bus holds only its callback.
 */
export class EventBus {
  private readonly subscribers = new Map<string, Set<EventSink>>();

  subscribe(topic: string, sink: EventSink): void {
    let sinks = this.subscribers.get(topic);
    if (!sinks) this.subscribers.set(topic, (sinks = new Set()));
    sinks.add(sink);
  }

  unsubscribe(topic: string, sink: EventSink): void {
    const sinks = this.subscribers.get(topic);
    sinks?.delete(sink);
    if (sinks?.size === 0) this.subscribers.delete(topic);
  }

  unsubscribeAll(sink: EventSink): void {
    for (const topic of [...this.subscribers.keys()]) this.unsubscribe(topic, sink);
  }

  hasSubscribers(topic: string): boolean {
    return this.subscribers.has(topic) || this.subscribers.has('*');
  }

  /**
   * Delivers to subscribers of the event's topic, of `*`, and of each narrower `topic:key`
   * (so a client following one run subscribes to `run:<id>` and receives nothing else).
   */
  publish<E extends EventName>(event: E, data: Events[E], keys: string[] = []): void {
    const topic = topicOf(event);
    for (const name of [topic, '*', ...keys.map((key) => `${topic}:${key}`)]) {
      for (const sink of this.subscribers.get(name) ?? []) sink(event, data);
    }
  }
}
