/**
 * The one way out of a sandbox: an HTTP/1.1 forward proxy on a unix socket, bind-mounted into
 * the sandbox at /run/capsule/egress.sock. The sandbox has no route out of its own, so every
 * request a task makes is seen here (method, host, status, bytes) and checked against its
 * `allowedHosts`. https targets arrive in the clear over the local socket, in absolute form
 * (`GET https://host/path`): the proxy makes the TLS connection itself, so it sees what passes
 * and verifies the certificate with Node's default CAs. CONNECT tunnels and upgrades would hide
 * both, and are refused.
 */
import {chmod, rm} from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type {Duplex} from 'node:stream';
import type {EgressRequest} from '../../src/protocol/index.js';
import {allowEntryFor, hostAllowed, hostPort} from './host-patterns.js';
import {forwardedHeaders, parseTarget, type Target} from './proxy-request.js';

export interface EgressProxyOptions {
  socketPath: string;
  /** `allowedHosts` entries (host-patterns.ts). */
  hosts: readonly string[];
  onRequest?: (entry: EgressRequest) => void;
  /**
   * How long a connection from the sandbox has to send a request's headers.
   * @default 10_000
   */
  headersTimeoutMs?: number;
  /**
   * How long a connection, to the sandbox or upstream, may stay silent mid-request before it is ended.
   * @default 60_000
   */
  idleTimeoutMs?: number;
}

export interface EgressProxy {
  readonly socketPath: string;
  onRequest: (entry: EgressRequest) => void;
  /** Stops listening, ends every open connection (in-flight requests included) and removes the socket file. */
  close(): Promise<void>;
}

/** Requests a proxy serves at once; the next ones get 503 rather than a queue without end. */
export const MAX_IN_FLIGHT = 64;
/** A kept-alive connection from the sandbox with no request is ended after this long. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const {socketPath, headersTimeoutMs = 10_000, idleTimeoutMs = 60_000} = options;
  const hosts = [...options.hosts];
  const agents = {
    'http:': new http.Agent({keepAlive: true, maxSockets: MAX_IN_FLIGHT}),
    'https:': new https.Agent({keepAlive: true, maxSockets: MAX_IN_FLIGHT}),
  };
  const upstreams = new Set<http.ClientRequest>();
  const rawSockets = new Set<Duplex>();
  let inFlight = 0;
  let closing = false;

  // Node checks the headers timeout on this interval (30 s unless told): often enough that the timeout means what it says.
  const server = http.createServer({headersTimeout: headersTimeoutMs, requestTimeout: 0, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs)});
  server.timeout = idleTimeoutMs;
  const proxy: EgressProxy = {socketPath, onRequest: options.onRequest ?? (() => {}), close};

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = performance.now();
    const entry: EgressRequest = {method: req.method ?? '', host: req.headers.host ?? '', status: null, bytes: 0, durationMs: 0, denied: false};
    inFlight++;
    res.on('close', () => {
      inFlight--;
      entry.status = res.headersSent ? res.statusCode : null;
      entry.durationMs = performance.now() - started;
      proxy.onRequest(entry);
    });
    if (inFlight > MAX_IN_FLIGHT) {
      entry.bytes = reply(res, 503, {'x-capsule-error': 'busy'}, `the egress proxy already has ${MAX_IN_FLIGHT} requests in flight; retry when some have ended`);
      return;
    }
    const target = parseTarget(req.url ?? '');
    if (typeof target === 'string') {
      entry.denied = true;
      entry.bytes = deny(res, target, 'the egress proxy takes absolute-form targets only (GET http://host/path or GET https://host/path): send requests through fetch, http or https');
      return;
    }
    entry.host = hostPort(target.hostname, target.port);
    if (!hostAllowed(hosts, target.hostname, target.port)) {
      entry.denied = true;
      entry.bytes = deny(res, entry.host, `add "${allowEntryFor(target.hostname, target.port, target.protocol)}" to allowedHosts`);
      return;
    }
    forward(req, res, target, entry);
  });

  // A CONNECT tunnel or an upgraded connection carries bytes the proxy cannot read: refused whole.
  server.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
    refuseRaw(req, socket, `CONNECT ${req.url ?? ''}`, 'send requests in absolute form (GET https://host/path) through fetch, http or https instead of a CONNECT tunnel');
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    refuseRaw(req, socket, `upgrade to ${req.headers.upgrade ?? ''} at ${req.url ?? ''}`, 'the sandbox allows plain HTTP(S) requests only, not upgraded connections (WebSocket)');
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, target: Target, entry: EgressRequest): void {
    const headers = forwardedHeaders(req.rawHeaders);
    headers.host = target.url.host;
    const upstream = (target.protocol === 'https:' ? https : http).request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      path: `${target.url.pathname}${target.url.search}`,
      method: req.method,
      headers,
      agent: agents[target.protocol],
      timeout: idleTimeoutMs,
    });
    upstreams.add(upstream);
    upstream.on('close', () => upstreams.delete(upstream));
    upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('upstream silent'), {code: 'ETIMEDOUT'})));
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      // Once the answer has begun, or the proxy is closing, there is no one to tell but the connection.
      if (res.headersSent || closing) res.destroy();
      else entry.bytes = reply(res, 502, {'x-capsule-error': error.code ?? 'EUPSTREAM'}, `${entry.host} failed: ${error.message}`);
    });
    upstream.on('response', (upstreamRes: http.IncomingMessage) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, forwardedHeaders(upstreamRes.rawHeaders));
      upstreamRes.on('data', (chunk: Buffer) => {
        entry.bytes += chunk.length;
      });
      upstreamRes.on('error', () => res.destroy());
      upstreamRes.on('aborted', () => res.destroy());
      upstreamRes.pipe(res);
    });
    // The sandbox went away (or close() ended it): nothing waits for the upstream answer.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  function refuseRaw(req: http.IncomingMessage, socket: Duplex, what: string, hint: string): void {
    const started = performance.now();
    rawSockets.add(socket);
    socket.on('close', () => rawSockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const body = `${hint}\n`;
    socket.end(
      `HTTP/1.1 403 Forbidden\r\nx-capsule-denied: ${headerSafe(what)}\r\nx-capsule-hint: ${headerSafe(hint)}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    proxy.onRequest({method: req.method ?? '', host: req.method === 'CONNECT' ? (req.url ?? '') : (req.headers.host ?? ''), status: 403, bytes: Buffer.byteLength(body), durationMs: performance.now() - started, denied: true});
  }

  async function close(): Promise<void> {
    closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const upstream of upstreams) upstream.destroy();
    for (const socket of rawSockets) socket.destroy();
    agents['http:'].destroy();
    agents['https:'].destroy();
    await closed;
    await rm(socketPath, {force: true});
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`the egress proxy cannot listen on ${socketPath} (${error.code ?? error.message}): the path must be a new socket in a writable directory, at most 107 bytes long`, {cause: error})),
    );
    server.listen(socketPath, () => resolve());
  });
  // The socket is the sandbox's network: only the daemon's user may open it.
  await chmod(socketPath, 0o600);
  return proxy;
}

function deny(res: http.ServerResponse, what: string, hint: string): number {
  return reply(res, 403, {'x-capsule-denied': headerSafe(what), 'x-capsule-hint': headerSafe(hint)}, hint);
}

/** Sends a one-line text answer of the proxy's own; returns its body's length. */
function reply(res: http.ServerResponse, status: number, headers: Record<string, string>, line: string): number {
  const body = `${line}\n`;
  res.writeHead(status, {...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body)});
  res.end(body);
  return Buffer.byteLength(body);
}

function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 512);
}
