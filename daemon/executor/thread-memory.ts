import type {Session} from 'node:inspector';
import {MEMORY_PROBE_GLOBAL} from '../worker/protocol.js';

type Reply = {ok: true; value: unknown} | {ok: false};

/**
 * Reads a worker thread's own memory (its heap, Buffers and ArrayBuffers: see
 * worker/memory.ts) while it runs. Node 20 gives the daemon no per-thread figure
 * (`Worker.getHeapStatistics()` came later) and the process's RSS is shared by every thread,
 * so the thread is asked through the inspector: the daemon's own session attaches to its worker
 * threads, and V8 runs a message sent to one at its next interrupt check — a function call or a
 * loop's back edge — so a task allocating in a synchronous loop answers too, where a timer in
 * the thread would never fire. Nothing is enabled in the worker but the answering of the
 * messages sent to it: no debugger, no instrumentation.
 */
export class ThreadMemoryProbe {
  private session: Session | null = null;
  private closed = false;
  /** Inspector session id of each attached worker thread, by its threadId. */
  private readonly threads = new Map<number, string>();
  private readonly pending = new Map<number, {sessionId: string; settle(reply: Reply): void}>();
  private lastId = 0;

  constructor() {
    // A Node built without the inspector has no per-thread figure: attempts are then measured as they end.
    if (process.features.inspector) {
      void import('node:inspector').then(
        ({Session}) => this.connect(new Session()),
        () => undefined,
      );
    }
  }

  /**
   * The thread's memory in bytes, or null if it cannot be asked (not attached yet, gone, closed).
   * It includes garbage V8 has not collected yet, as a process's resident set does: V8 collects
   * when a thread's external memory grows by some 64MB, but a collection asked for from here
   * (HeapProfiler.collectGarbage) waits for the thread's event loop, which a busy task holds.
   */
  async measure(threadId: number): Promise<number | null> {
    const reply = await this.send(threadId, 'Runtime.evaluate', {expression: `globalThis.${MEMORY_PROBE_GLOBAL}()`, returnByValue: true, silent: true});
    const value = reply.ok ? (reply.value as {result?: {value?: unknown}}).result?.value : undefined;
    return typeof value === 'number' ? value : null;
  }

  close(): void {
    this.closed = true;
    this.session?.disconnect();
    this.session = null;
    for (const {settle} of this.pending.values()) settle({ok: false});
    this.pending.clear();
    this.threads.clear();
  }

  private connect(session: Session): void {
    if (this.closed) return;
    session.connect();
    session.on('NodeWorker.attachedToWorker', ({params}) => this.threads.set(Number(params.workerInfo.workerId), params.sessionId));
    session.on('NodeWorker.detachedFromWorker', ({params}) => this.detached(params.sessionId));
    session.on('NodeWorker.receivedMessageFromWorker', ({params}) => this.received(params.message));
    // Attaches the worker threads running now and each one started later, none waiting for a debugger.
    session.post('NodeWorker.enable', {waitForDebuggerOnStart: false});
    this.session = session;
  }

  private send(threadId: number, method: string, params: object): Promise<Reply> {
    const sessionId = this.threads.get(threadId);
    const {session} = this;
    if (session === null || sessionId === undefined) return Promise.resolve({ok: false});
    const id = ++this.lastId;
    return new Promise((settle) => {
      this.pending.set(id, {sessionId, settle});
      session.post('NodeWorker.sendMessageToWorker', {sessionId, message: JSON.stringify({id, method, params})}, (error) => {
        if (error) this.settle(id, {ok: false});
      });
    });
  }

  private received(message: string): void {
    let parsed: {id?: unknown; result?: unknown; error?: unknown};
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (typeof parsed.id !== 'number') return;
    this.settle(parsed.id, parsed.error === undefined ? {ok: true, value: parsed.result} : {ok: false});
  }

  private settle(id: number, reply: Reply): void {
    const waiting = this.pending.get(id);
    if (waiting === undefined) return;
    this.pending.delete(id);
    waiting.settle(reply);
  }

  private detached(sessionId: string): void {
    for (const [threadId, attached] of this.threads) if (attached === sessionId) this.threads.delete(threadId);
    for (const [id, waiting] of this.pending) if (waiting.sessionId === sessionId) this.settle(id, {ok: false});
  }
}
