/**
 * The global fetch inside a sandbox. Node's fetch (its bundled undici, 6.x on Node 20) asks the
 * dispatcher stored under undici's global symbol for every request; this one sends each through
 * the proxied node:http request (sandbox-http.ts), so fetch and http share one path to the
 * egress proxy and one way of reporting a denial (fetch rejects "fetch failed" with the
 * SandboxDeniedError as its cause). It drives the handler with undici 6's callbacks: onConnect,
 * onResponseStarted, onHeaders, onData (false pauses until resume), onComplete, onError.
 */
import type http from 'node:http';
import {SandboxDeniedError} from './sandbox-denial.js';
import type {ProxiedRequest} from './sandbox-http.js';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

type DispatchHeaders = Record<string, string | string[] | undefined> | (string | string[])[] | Iterable<[string, string | string[]]> | null;
type DispatchBody = string | Uint8Array | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | null;

interface DispatchOptions {
  origin: string | URL;
  path: string;
  method: string;
  headers?: DispatchHeaders;
  body?: DispatchBody;
  upgrade?: string | null;
}

interface DispatchHandler {
  onConnect?(abort: (reason?: Error) => void): void;
  onResponseStarted?(): void;
  onHeaders?(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | void;
  onData?(chunk: Buffer): boolean | void;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(error: Error): void;
}

export function installFetchDispatcher(request: ProxiedRequest): void {
  (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER] = {
    dispatch: (options: DispatchOptions, handler: DispatchHandler) => dispatch(request, options, handler),
  };
}

function dispatch(request: ProxiedRequest, options: DispatchOptions, handler: DispatchHandler): boolean {
  const origin = String(options.origin);
  if (options.upgrade) {
    handler.onError?.(new SandboxDeniedError('request', origin, 'the sandbox allows plain HTTP(S) requests only, not upgraded connections (WebSocket)'));
    return true;
  }
  let settled = false;
  const req = request(new URL(`${origin}${options.path}`), {method: options.method, headers: headersOf(options.headers)});
  const fail = (error: Error): void => {
    if (settled) return;
    settled = true;
    req.destroy();
    handler.onError?.(error);
  };
  handler.onConnect?.((reason) => fail(reason ?? new DOMException('The operation was aborted.', 'AbortError')));
  if (settled) return true;
  req.on('error', fail);
  req.on('response', (res: http.IncomingMessage) => {
    handler.onResponseStarted?.();
    if (handler.onHeaders?.(res.statusCode ?? 0, toBuffers(res.rawHeaders), () => res.resume(), res.statusMessage ?? '') === false) res.pause();
    res.on('data', (chunk: Buffer) => {
      if (!settled && handler.onData?.(chunk) === false) res.pause();
    });
    res.on('end', () => {
      if (settled) return;
      settled = true;
      handler.onComplete?.(toBuffers(res.rawTrailers));
    });
    res.on('error', fail);
    res.on('close', () => {
      if (!res.complete) fail(new Error('the egress proxy ended the response before its end'));
    });
  });
  writeBody(req, options.body ?? null).catch(fail);
  return true;
}

async function writeBody(req: http.ClientRequest, body: DispatchBody): Promise<void> {
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    req.end(body ?? undefined);
    return;
  }
  for await (const chunk of body) {
    if (req.destroyed) return;
    if (!req.write(chunk)) await drained(req);
  }
  req.end();
}

function drained(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

/** undici's header forms (an object, a flat [name, value, …] array, an iterable of pairs) as node:http's. */
function headersOf(headers: DispatchHeaders | undefined): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  if (headers === null || headers === undefined) return out;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i])] = headers[i + 1];
  } else if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<[string, string | string[]]>) out[name] = value;
  } else {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = value;
  }
  return out;
}

function toBuffers(raw: readonly string[]): Buffer[] {
  return raw.map((value) => Buffer.from(value, 'latin1'));
}
