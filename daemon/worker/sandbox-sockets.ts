/**
 * Every other way out of a sandbox, refused with a SandboxDeniedError where the real failure
 * would surface (a socket's 'error' event, a callback, a rejected promise, always asynchronously),
 * so a task that tries says what it tried instead of timing out in an empty network namespace.
 * The one socket left open is the egress proxy's, which the http routing connects to.
 *
 * net.connect, net.createConnection and tls.connect all end in net.Socket#connect, so refusing
 * there covers them, and any library that makes its own Socket.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import {resolve} from 'node:path';
import {hostPort} from '../sandbox/host-patterns.js';
import {SandboxDeniedError} from './sandbox-denial.js';

const HINT = 'only HTTP(S) to allowedHosts, through fetch, http and https';

type Callback = (error: Error | null, ...results: unknown[]) => void;

export function refuseSockets(socketPath: string): void {
  const allowed = resolve(socketPath);
  const connect = net.Socket.prototype.connect as (this: net.Socket, ...args: unknown[]) => net.Socket;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const address = connectAddress(args);
    if (address.path !== undefined && resolve(address.path) === allowed) return connect.apply(this, args);
    const error = denied(address.path ?? hostPort(address.host ?? 'localhost', address.port));
    process.nextTick(() => this.destroy(error));
    return this;
  } as typeof net.Socket.prototype.connect;

  refuseDatagrams();
  refuseLookups();
}

interface ConnectAddress {
  path?: string;
  host?: string;
  port?: unknown;
}

/** The address in Socket#connect's forms: (options[, cb]), (path[, cb]), (port[, host][, cb]), or net.connect's normalized [options, cb]. */
function connectAddress(args: unknown[]): ConnectAddress {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) return first as ConnectAddress;
  if (typeof first === 'string' && Number.isNaN(Number(first))) return {path: first};
  return {port: first, host: typeof args[1] === 'string' ? args[1] : undefined};
}

/** A UDP socket may be created (it reaches nothing); binding, sending or connecting it is refused. */
function refuseDatagrams(): void {
  const prototype = dgram.Socket.prototype as unknown as Record<string, unknown>;
  prototype.bind = function (this: dgram.Socket, ...args: unknown[]): dgram.Socket {
    const options = typeof args[0] === 'object' && args[0] !== null ? (args[0] as {address?: string; port?: number}) : {port: args[0] as number, address: typeof args[1] === 'string' ? args[1] : undefined};
    const error = denied(`udp ${hostPort(options.address ?? '0.0.0.0', options.port ?? 0)}`);
    process.nextTick(() => this.emit('error', error));
    return this;
  };
  // send(msg[, offset, length][, port][, address][, callback]) and connect(port[, address][, callback]): the callback gets the error, or else 'error'.
  prototype.send = function (this: dgram.Socket, ...args: unknown[]): void {
    const ranged = typeof args[1] === 'number' && typeof args[2] === 'number';
    const [port, address] = ranged ? [args[3], args[4]] : [args[1], args[2]];
    failLater(this, args, `udp ${hostPort(typeof address === 'string' ? address : 'localhost', port)}`);
  };
  prototype.connect = function (this: dgram.Socket, ...args: unknown[]): void {
    failLater(this, args, `udp ${hostPort(typeof args[1] === 'string' ? args[1] : 'localhost', args[0])}`);
  };
}

function failLater(socket: dgram.Socket, args: unknown[], resource: string): void {
  const error = denied(resource);
  const callback = args.findLast((arg) => typeof arg === 'function') as Callback | undefined;
  process.nextTick(() => (callback === undefined ? socket.emit('error', error) : callback(error)));
}

/** Name resolution has nowhere to go: dns.lookup, resolve* and reverse, callback and promise forms, module functions and Resolver methods. */
function refuseLookups(): void {
  const resolving = (name: string): boolean => /^(lookup|lookupService|resolve\w*|reverse)$/.test(name);
  const withCallbacks = [dns as unknown as Record<string, unknown>, dns.Resolver.prototype as unknown as Record<string, unknown>];
  const withPromises = [dns.promises as unknown as Record<string, unknown>, dns.promises.Resolver.prototype as unknown as Record<string, unknown>];
  for (const target of withCallbacks) {
    for (const name of Object.getOwnPropertyNames(target).filter(resolving)) {
      if (typeof target[name] !== 'function') continue;
      target[name] = (...args: unknown[]) => {
        const callback = args.findLast((arg) => typeof arg === 'function') as Callback | undefined;
        const error = denied(String(args[0]));
        if (callback === undefined) throw error;
        process.nextTick(() => callback(error));
      };
    }
  }
  for (const target of withPromises) {
    for (const name of Object.getOwnPropertyNames(target).filter(resolving)) {
      if (typeof target[name] !== 'function') continue;
      target[name] = (...args: unknown[]) => Promise.reject(denied(String(args[0])));
    }
  }
}

function denied(resource: string): SandboxDeniedError {
  return new SandboxDeniedError('connect', resource, HINT);
}
