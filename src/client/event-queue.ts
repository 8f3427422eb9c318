import {isFinalRunStatus} from '../protocol/index.js';
import type {RunEvent} from './run-handle.js';

/** Events an `events()` iterator holds for a consumer that reads slower than the run logs; log and progress past this are dropped. */
export const MAX_UNREAD_EVENTS = 10_000;

/** A run's event stream as the iterator reads it. */
export interface EventSource {
  /** Set once the stream broke off before its final update. */
  readonly failure: Error | null;
  /** Replays the events so far to `listener`, then passes it each new one; `lost` is called if the stream breaks off. */
  listen(listener: (event: RunEvent) => void, lost: (error: Error) => void): () => void;
}

/** The async iterator behind `events()`: buffers what arrives until the consumer reads it. */
export class EventQueue implements AsyncIterableIterator<RunEvent> {
  readonly #unread: RunEvent[] = [];
  #waiting: {resolve(result: IteratorResult<RunEvent>): void; reject(error: Error): void} | null = null;
  #ended = false;
  readonly #stop: () => void;

  constructor(private readonly run: EventSource) {
    this.#stop = run.listen(
      (event) => this.#receive(event),
      (error) => this.#lost(error),
    );
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<RunEvent> {
    return this;
  }

  next(): Promise<IteratorResult<RunEvent>> {
    const event = this.#unread.shift();
    if (event !== undefined) return Promise.resolve(this.#yielded(event));
    if (this.#ended) return Promise.resolve({done: true, value: undefined});
    if (this.run.failure) return Promise.reject(this.run.failure);
    return new Promise((resolve, reject) => (this.#waiting = {resolve, reject}));
  }

  return(): Promise<IteratorResult<RunEvent>> {
    this.#ended = true;
    this.#unread.length = 0;
    this.#stop();
    return Promise.resolve({done: true, value: undefined});
  }

  #receive(event: RunEvent): void {
    if (this.#ended) return;
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting) waiting.resolve(this.#yielded(event));
    else if (event.type === 'update' || this.#unread.length < MAX_UNREAD_EVENTS) this.#unread.push(event);
  }

  #lost(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.reject(error);
  }

  /** The final update is the last event: the iteration ends after it. */
  #yielded(event: RunEvent): IteratorResult<RunEvent> {
    if (event.type === 'update' && isFinalRunStatus(event.run.status)) {
      this.#ended = true;
      this.#stop();
    }
    return {done: false, value: event};
  }
}
