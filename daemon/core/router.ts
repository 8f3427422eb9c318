import {setMaxListeners} from 'node:events';
import {checkEvent, checkParams, checkResult, checkingOutput, isMethod, suggestMethod} from '../../src/protocol/check.js';
import {CapsuleError, toCapsuleError} from '../../src/lib/errors.js';
import {PROTOCOL_VERSION, type HandlerParams, type MethodName, type Request, type ResultOf} from '../../src/protocol/index.js';
import type {ServerConnection} from '../../src/transport/ipc.js';
import type {EventBus, EventSink} from './event-bus.js';
import {osUser} from './audit-log.js';
import type {Logger} from './logger.js';
import type {RequestGate} from './load-gate.js';

export interface CallContext {
  connectionId: number;
  /** Who asked, for the audit trail: see connectionActor. */
  actor: string;
  /**
   * Subscribes the calling connection to a topic before the handler returns, so a
   * snapshot the handler reads and the events after it leave no gap (`run.submit` with
   * `follow`, `logs -f`).
   */
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** Aborted when the calling connection closes: work done only for its caller can stop. */
  gone: AbortSignal;
}

export type Handler<M extends MethodName> = (params: HandlerParams<M>, call: CallContext) => Promise<ResultOf<M>> | ResultOf<M>;

/** The methods the router answers itself: they concern the connection, not the daemon's parts. */
type ConnectionMethod = 'hello' | 'subscribe' | 'unsubscribe';

/** Every protocol method except the connection-level ones. */
export type HandlerTable = {[M in Exclude<MethodName, ConnectionMethod>]: Handler<M>};
/** Handlers wired so far (a test daemon wires a few); a method not in the table gets a clear reply. */
export type PartialHandlerTable = Partial<HandlerTable>;

/** A subscriber whose unread events pass this many bytes is dropped instead of buffered without bound. */
export const MAX_SUBSCRIBER_BACKLOG_BYTES = 32 * 1024 * 1024;
/** Unread events across all subscribers: past it, the ones furthest behind are dropped first. */
export const MAX_TOTAL_BACKLOG_BYTES = 256 * 1024 * 1024;
/** How often, at most, a delivery sums every connection's backlog: a burst must not pay that per event. */
const TOTAL_BACKLOG_CHECK_MS = 100;

export interface RouterLimits {
  /** A connection that has not said hello by then is closed: idle sockets must not pile up. */
  helloTimeoutMs: number;
}

const DEFAULT_LIMITS: RouterLimits = {helloTimeoutMs: 10_000};

interface ConnectionState {
  connection: ServerConnection;
  greeted: boolean;
  dropped: boolean;
  sink: EventSink;
  helloTimer: NodeJS.Timeout | undefined;
  closed: AbortController;
}

/**
 * Turns protocol lines into checked handler calls and replies. Nothing a client sends can
 * crash the daemon: malformed JSON, params the method's schema refuses, an unknown method
 * or a throwing handler all become error replies. What it holds for a client is bounded:
 * a connection must say hello in time, and one that does not read its events is dropped
 * with a last message that says why.
 */
export class RequestRouter {
  private readonly connections = new Map<number, ConnectionState>();
  private readonly actor = connectionActor();
  private refusal: CapsuleError | null = null;
  private lastTotalCheck = 0;

  constructor(
    private readonly handlers: PartialHandlerTable,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly version: string,
    /** What a method waits for while projects load at start-up (load-gate.ts): the project it names, if any. */
    private readonly gate: RequestGate = () => null,
    private readonly limits: RouterLimits = DEFAULT_LIMITS,
  ) {}

  onOpen(connection: ServerConnection): void {
    const state = this.state(connection);
    state.helloTimer = setTimeout(() => {
      if (!state.greeted) this.drop(state, new CapsuleError('bad_request', `no hello within ${this.limits.helloTimeoutMs / 1000} s of connecting`, {hint: 'send {"id":1,"method":"hello","params":{"protocol":N}} first'}));
    }, this.limits.helloTimeoutMs).unref();
  }

  onMessage(connection: ServerConnection, line: string): void {
    let request: Request;
    try {
      request = parseRequest(line);
    } catch (error) {
      connection.send({id: null, ok: false, error: toCapsuleError(error).toPayload()});
      return;
    }
    void this.answer(connection, request).then(
      (result) => connection.send({id: request.id, ok: true, result}),
      (error: unknown) => {
        const failure = toCapsuleError(error);
        if (failure.code === 'internal') this.logger.error(`method ${request.method} failed`, error);
        connection.send({id: request.id, ok: false, error: failure.toPayload()});
      },
    );
  }

  /**
   * From now on every method but the connection's own (hello, subscribe, unsubscribe) is refused
   * with `reason`: a daemon shutting down keeps its connections to send the last events, and
   * must not start anything meanwhile.
   */
  refuseRequests(reason: CapsuleError): void {
    this.refusal = reason;
  }

  /** An oversized or stalled message: the connection cannot be read any further. */
  onProtocolError(connection: ServerConnection, error: CapsuleError): void {
    this.drop(this.state(connection), error);
  }

  onClose(connection: ServerConnection): void {
    const state = this.connections.get(connection.id);
    if (state) {
      clearTimeout(state.helloTimer);
      this.bus.unsubscribeAll(state.sink);
      state.closed.abort();
    }
    this.connections.delete(connection.id);
  }

  private state(connection: ServerConnection): ConnectionState {
    let state = this.connections.get(connection.id);
    if (!state) {
      const sink: EventSink = (event, data) => {
        if (state!.dropped) return;
        if (connection.bufferedBytes > MAX_SUBSCRIBER_BACKLOG_BYTES) {
          this.drop(state!, lagging(`more than ${MAX_SUBSCRIBER_BACKLOG_BYTES / 1024 / 1024} MiB behind the events it subscribed to`));
          return;
        }
        if (checkingOutput) checkEvent(event, data);
        connection.send({event, data});
        this.checkTotalBacklog();
      };
      const closed = new AbortController();
      // Each call still running on the connection listens to it; a client may have hundreds at once.
      setMaxListeners(0, closed.signal);
      state = {connection, greeted: false, dropped: false, sink, helloTimer: undefined, closed};
      this.connections.set(connection.id, state);
    }
    return state;
  }

  /** Says why in a last message, once, and stops delivering to the connection at once. */
  private drop(state: ConnectionState, reason: CapsuleError): void {
    if (state.dropped) return;
    state.dropped = true;
    clearTimeout(state.helloTimer);
    this.bus.unsubscribeAll(state.sink);
    this.logger.warn(`dropping connection ${state.connection.id}: ${reason.message}`);
    state.connection.drop({id: null, ok: false, error: reason.toPayload()});
  }

  private checkTotalBacklog(): void {
    const now = Date.now();
    if (now - this.lastTotalCheck < TOTAL_BACKLOG_CHECK_MS) return;
    this.lastTotalCheck = now;
    const live = [...this.connections.values()].filter((state) => !state.dropped);
    let total = live.reduce((sum, state) => sum + state.connection.bufferedBytes, 0);
    if (total <= MAX_TOTAL_BACKLOG_BYTES) return;
    for (const state of live.sort((a, b) => b.connection.bufferedBytes - a.connection.bufferedBytes)) {
      if (total <= MAX_TOTAL_BACKLOG_BYTES) break;
      total -= state.connection.bufferedBytes;
      this.drop(state, lagging(`the furthest behind when the daemon's unread events passed ${MAX_TOTAL_BACKLOG_BYTES / 1024 / 1024} MiB across all subscribers`));
    }
  }

  private async answer(connection: ServerConnection, request: Request): Promise<unknown> {
    const {method} = request;
    if (!isMethod(method)) {
      const suggestion = suggestMethod(method);
      throw new CapsuleError('bad_request', `unknown method "${method}"`, {
        hint: suggestion ? `did you mean "${suggestion}"?` : 'the client and daemon may differ in version: `capsule daemon restart`',
      });
    }
    const state = this.state(connection);
    if (method === 'hello') return this.hello(state, request.params);
    if (!state.greeted) throw new CapsuleError('bad_request', `"${method}" sent before the hello handshake`, {hint: 'send {"method":"hello"} first'});
    const params = checkParams(method, request.params);
    if (method === 'subscribe' || method === 'unsubscribe') return this.topics(method, params as HandlerParams<'subscribe'>, state);
    if (this.refusal) throw this.refusal;
    const loading = this.gate(method, params as HandlerParams<typeof method>);
    if (loading !== null) {
      await loading;
      // A stop requested meanwhile ends the loads: the request must not start anything then.
      if (this.refusal) throw this.refusal;
    }
    // The handler's promise is returned as it is: one more await per request shows in a burst.
    const result = this.invoke(method, params as HandlerParams<typeof method>, connection, state);
    return checkingOutput ? checkResult(method, await result) : result;
  }

  private hello(state: ConnectionState, raw: unknown): ResultOf<'hello'> {
    // The version is compared before the shape: another protocol may shape its hello differently.
    const protocol = (raw as {protocol?: unknown} | null)?.protocol;
    if (protocol !== PROTOCOL_VERSION) {
      const client = (raw as {client?: unknown} | null)?.client;
      throw new CapsuleError('protocol_mismatch', `this capsule (client ${String(client)}) speaks protocol ${String(protocol)}, but the running daemon (${this.version}) speaks protocol ${PROTOCOL_VERSION}`, {
        hint: 'restart the daemon from the installed version: `capsule daemon restart`',
        // Read by `daemon stop` and `restart`, which speak the daemon's protocol to stop it.
        details: {protocol: PROTOCOL_VERSION},
      });
    }
    checkParams('hello', raw);
    state.greeted = true;
    clearTimeout(state.helloTimer);
    return {protocol: PROTOCOL_VERSION, version: this.version, pid: process.pid};
  }

  private topics(method: 'subscribe' | 'unsubscribe', {topics}: HandlerParams<'subscribe'>, state: ConnectionState): ResultOf<'subscribe'> {
    for (const topic of topics) {
      if (method === 'subscribe') this.bus.subscribe(topic, state.sink);
      else this.bus.unsubscribe(topic, state.sink);
    }
    return {topics};
  }

  private invoke<M extends Exclude<MethodName, ConnectionMethod>>(method: M, params: HandlerParams<M>, connection: ServerConnection, state: ConnectionState): unknown {
    const handler = this.handlers[method] as Handler<MethodName> | undefined;
    if (!handler) throw new CapsuleError('bad_request', `method "${method}" is not served by this daemon`, {hint: 'the client and daemon may differ in version: `capsule daemon restart`'});
    return handler(params as never, {
      connectionId: connection.id,
      actor: this.actor,
      subscribe: (topic) => this.bus.subscribe(topic, state.sink),
      unsubscribe: (topic) => this.bus.unsubscribe(topic, state.sink),
      gone: state.closed.signal,
    });
  }
}

/**
 * Who is on the other end of a connection, as the audit trail records it. Never what the client
 * says (its hello could claim anyone): Node cannot read a unix socket peer's credentials, and
 * the socket lives in the 0700 home, so only the daemon's own OS user (or root) can connect.
 * That user is what is recorded.
 */
function connectionActor(): string {
  return osUser();
}

function lagging(how: string): CapsuleError {
  return new CapsuleError('failed', `the daemon dropped this connection: it read its events too slowly, ${how}`, {
    hint: 'read faster (send the output to a file, or to `less`), follow fewer things, or read the tail without --follow',
  });
}

function parseRequest(line: string): Request {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new CapsuleError('bad_request', `malformed message: not JSON (${JSON.stringify(line.slice(0, 40))}...)`);
  }
  if (typeof value !== 'object' || value === null) throw new CapsuleError('bad_request', 'malformed message: expected an object {id, method, params}');
  const {id, method, params} = value as Record<string, unknown>;
  if (typeof id !== 'number' || typeof method !== 'string') {
    throw new CapsuleError('bad_request', 'malformed message: expected {id: number, method: string, params}');
  }
  return {id, method, params: params ?? {}};
}
