import {randomUUID} from 'node:crypto';
import type {Redis} from 'ioredis';
import {CapsuleError, toCapsuleError, type ErrorPayload} from '../../src/lib/errors.js';
import type {Logger} from '../core/logger.js';
import {backendFailure, KEY_PREFIX} from './backend.js';

/** How long a node has to answer a call: a restart may wait for a service's stop_timeout. */
const CALL_TIMEOUT_MS = 60_000;

/**
 * What one node may ask another: the operator commands (`capsule restart NS/NAME@node`), and what
 * an attempt run for another node's run tells or asks that node (daemon/cluster/shared-attempts.ts).
 */
export type NodeCallMethod = 'control.apply' | 'attempt.begin' | 'attempt.event' | 'attempt.durable' | 'attempt.child' | 'attempt.await' | 'attempt.done' | 'attempt.cancel';

type Message =
  /** `id` empty: a note, answered by nothing. */
  | {type: 'call'; id: string; from: string; method: NodeCallMethod; params: unknown; actor: string}
  | {type: 'reply'; id: string; ok: true; result: unknown}
  | {type: 'reply'; id: string; ok: false; error: ErrorPayload};

/** Serves a call from another node: `from` is that node, `actor` who asked there (and through which node). */
export type CallServer = (params: unknown, context: {from: string; actor: string}) => Promise<unknown> | unknown;

/** The details of the error a call gets when no node listens under the name it called. */
export const NOBODY_LISTENING = {nobodyListening: true} as const;

const channel = (node: string) => `${KEY_PREFIX}calls:${node}`;

/**
 * Calls between nodes over Redis pub/sub: each node listens on a channel of its own (a connection
 * of its own, as a subscribed connection can do nothing else) for calls and for the replies to
 * its own calls. A node that is not listening is told at once (nobody received the call), one
 * that does not answer within CALL_TIMEOUT_MS is reported as such.
 */
export class NodeCalls {
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #node: string;
  readonly #logger: Logger;
  readonly #pending = new Map<string, {resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout}>();
  readonly #servers = new Map<NodeCallMethod, CallServer>();

  private constructor(redis: Redis, subscriber: Redis, node: string, logger: Logger) {
    this.#redis = redis;
    this.#subscriber = subscriber;
    this.#node = node;
    this.#logger = logger;
  }

  static async listen(redis: Redis, node: string, logger: Logger): Promise<NodeCalls> {
    // Its options are the main connection's: connected on demand only, commands refused while not connected.
    const subscriber = redis.duplicate();
    subscriber.on('error', () => {}); // The main connection reports the backend's troubles, once.
    await subscriber.connect();
    const calls = new NodeCalls(redis, subscriber, node, logger);
    subscriber.on('message', (_channel: string, text: string) => calls.#received(text));
    await subscriber.subscribe(channel(node));
    return calls;
  }

  /** From now on, the other nodes' calls of `method` are served by `server`; until then they are refused. */
  serve(method: NodeCallMethod, server: CallServer): void {
    this.#servers.set(method, server);
  }

  /** Has `node` do `method`, as `actor`; resolves with its result or rejects with its error. */
  async call(node: string, method: NodeCallMethod, params: unknown, actor: string): Promise<unknown> {
    const id = randomUUID();
    const message: Message = {type: 'call', id, from: this.#node, method, params, actor};
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new CapsuleError('failed', `node ${node} did not answer within ${CALL_TIMEOUT_MS / 1000}s`, {hint: `\`capsule nodes\` says whether it is up`}));
      }, CALL_TIMEOUT_MS);
      this.#pending.set(id, {resolve, reject, timer});
    });
    let received: number;
    try {
      received = await this.#redis.publish(channel(node), JSON.stringify(message));
    } catch (error) {
      this.#settle(id, (pending) => pending.reject(new CapsuleError('failed', `could not reach node ${node}: the backend did not answer (${backendFailure(error)})`)));
      return reply;
    }
    if (received === 0) {
      this.#settle(id, (pending) =>
        pending.reject(new CapsuleError('not_found', `no node ${node} is listening on this backend`, {hint: '`capsule nodes` lists the nodes up; a node is named by `node` in its daemon.toml', details: NOBODY_LISTENING})),
      );
    }
    return reply;
  }

  /** Tells `node` something no answer is awaited for (an attempt's log line); false if it could not be sent. */
  async notify(node: string, method: NodeCallMethod, params: unknown): Promise<boolean> {
    const message: Message = {type: 'call', id: '', from: this.#node, method, params, actor: ''};
    try {
      return (await this.#redis.publish(channel(node), JSON.stringify(message))) > 0;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    for (const [id] of this.#pending) this.#settle(id, (pending) => pending.reject(new CapsuleError('failed', 'this daemon is stopping')));
    await this.#subscriber.quit().catch(() => this.#subscriber.disconnect());
  }

  #settle(id: string, settle: (pending: {resolve: (value: unknown) => void; reject: (error: Error) => void}) => void): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    settle(pending);
  }

  #received(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      this.#logger.warn(`a node call that is not JSON was ignored: ${text.slice(0, 200)}`);
      return;
    }
    if (message.type === 'reply') {
      this.#settle(message.id, (pending) => (message.ok ? pending.resolve(message.result) : pending.reject(new CapsuleError(message.error.code, message.error.message, {hint: message.error.hint}))));
      return;
    }
    void this.#answer(message);
  }

  async #answer(call: Extract<Message, {type: 'call'}>): Promise<void> {
    let reply: Message;
    try {
      const server = this.#servers.get(call.method);
      if (server === undefined) throw new CapsuleError('conflict', `node ${this.#node} does not serve ${call.method} (yet: it may still be starting)`, {hint: 'try again in a moment'});
      const result = await server(call.params, {from: call.from, actor: `${call.actor} via ${call.from}`});
      if (call.id === '') return;
      reply = {type: 'reply', id: call.id, ok: true, result};
    } catch (error) {
      if (call.id === '') {
        this.#logger.warn(`node ${call.from}'s ${call.method} note failed: ${toCapsuleError(error).message}`);
        return;
      }
      const failure = toCapsuleError(error);
      reply = {type: 'reply', id: call.id, ok: false, error: {code: failure.code, message: failure.message, ...(failure.hint === undefined ? {} : {hint: failure.hint})}};
    }
    await this.#redis.publish(channel(call.from), JSON.stringify(reply)).catch((error: unknown) => this.#logger.warn(`could not answer node ${call.from}'s call: ${backendFailure(error)}`));
  }
}
