/**
 * node:http and node:https inside a sandbox: every request (http.request/get, https.request/get,
 * in each call signature) is sent to the egress proxy's unix socket with its URL as an
 * absolute-form target, so libraries built on them (axios, got, node-fetch) work unchanged and
 * the proxy sees and checks each one. https goes to the proxy in the clear: the proxy makes the
 * TLS connection and verifies the certificate, so TLS options given here (ca, rejectUnauthorized)
 * have no effect. A request the proxy refuses ends in 'error' with a SandboxDeniedError.
 */
import http from 'node:http';
import https from 'node:https';
import {urlToHttpOptions} from 'node:url';
import {hostPort} from '../sandbox/host-patterns.js';
import {SandboxDeniedError} from './sandbox-denial.js';

type ResponseListener = (res: http.IncomingMessage) => void;
type OutgoingHeaders = http.OutgoingHttpHeaders | readonly string[];

/** Sends one request to `target` through the proxy. */
export type ProxiedRequest = (target: URL, options: http.RequestOptions, callback?: ResponseListener) => http.ClientRequest;

export function routeHttpThroughProxy(socketPath: string): ProxiedRequest {
  const request = http.request;
  // Free kept-alive sockets are unref'd by the agent: it lives as long as the sandboxed process.
  const agent = new http.Agent({keepAlive: true});

  const proxied: ProxiedRequest = (target, options, callback) => {
    const req = request(
      {
        ...options,
        protocol: 'http:',
        host: undefined,
        hostname: undefined,
        port: undefined,
        auth: undefined,
        createConnection: undefined,
        lookup: undefined,
        socketPath,
        agent,
        path: target.href,
        setHost: false,
        headers: withTargetHeaders(options, target),
      },
      callback,
    );
    reportDenial(req);
    return req;
  };

  for (const [module, protocol] of [
    [http, 'http:'],
    [https, 'https:'],
  ] as const) {
    const route = (...args: unknown[]): http.ClientRequest => {
      const {options, callback} = normalize(args);
      // A unix socket of the task's own: the refused connection (sandbox-sockets.ts) says so.
      if (options.socketPath !== undefined) return request(options, callback);
      return proxied(targetOf(options, protocol), options, callback);
    };
    (module as {request: unknown}).request = route;
    (module as {get: unknown}).get = (...args: unknown[]) => {
      const req = route(...args);
      req.end();
      return req;
    };
  }
  return proxied;
}

/** Node's call signatures: (url[, options][, callback]) with url a string or URL, or (options[, callback]). */
function normalize(args: unknown[]): {options: http.RequestOptions; callback: ResponseListener | undefined} {
  const [first, second, third] = args;
  if (typeof first === 'string' || first instanceof URL) {
    const fromUrl = urlToHttpOptions(typeof first === 'string' ? new URL(first) : first) as http.RequestOptions;
    if (typeof second === 'function') return {options: fromUrl, callback: second as ResponseListener};
    return {options: {...fromUrl, ...(second as http.RequestOptions | undefined)}, callback: third as ResponseListener | undefined};
  }
  return {options: (first ?? {}) as http.RequestOptions, callback: second as ResponseListener | undefined};
}

function targetOf(options: http.RequestOptions, defaultProtocol: 'http:' | 'https:'): URL {
  const protocol = options.protocol ?? defaultProtocol;
  const host = options.hostname ?? options.host ?? 'localhost';
  const port = options.port || options.defaultPort || (protocol === 'https:' ? 443 : 80);
  return new URL(`${protocol}//${hostPort(host, port)}${options.path ?? '/'}`);
}

/** The caller's headers plus the Host and Authorization that Node would have derived from host and auth. */
function withTargetHeaders(options: http.RequestOptions, target: URL): OutgoingHeaders {
  const added: [string, string][] = [];
  const headers = (options.headers ?? {}) as OutgoingHeaders;
  const has = (name: string): boolean =>
    Array.isArray(headers) ? headers.some((value, i) => i % 2 === 0 && value.toLowerCase() === name) : Object.keys(headers).some((key) => key.toLowerCase() === name);
  if (options.setHost !== false && !has('host')) added.push(['Host', target.host]);
  if (typeof options.auth === 'string' && !has('authorization')) added.push(['Authorization', `Basic ${Buffer.from(options.auth).toString('base64')}`]);
  if (added.length === 0) return headers;
  return Array.isArray(headers) ? [...headers, ...added.flat()] : {...headers, ...Object.fromEntries(added)};
}

/**
 * The proxy's 403 (x-capsule-denied) becomes the request's 'error' instead of its 'response',
 * as a refused connection would be: listeners added with on('response') and the callback alike
 * never see it. The body is drained so the kept-alive socket goes back to the agent.
 */
function reportDenial(req: http.ClientRequest): void {
  const emit = req.emit;
  req.emit = function (this: http.ClientRequest, event: string | symbol, ...args: unknown[]): boolean {
    const res = args[0] as http.IncomingMessage | undefined;
    const denied = event === 'response' && res?.statusCode === 403 ? res.headers['x-capsule-denied'] : undefined;
    if (res === undefined || typeof denied !== 'string') return emit.call(this, event, ...args);
    res.resume();
    const hint = res.headers['x-capsule-hint'];
    return emit.call(this, 'error', new SandboxDeniedError('request', denied, typeof hint === 'string' ? hint : ''));
  } as typeof req.emit;
}
