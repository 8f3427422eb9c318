// The egress proxy on a real unix socket in front of a real upstream server on 127.0.0.1.
import type {EgressRequest} from '../../../src/protocol/index.js';
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, {type AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {MAX_IN_FLIGHT, startEgressProxy, type EgressProxy} from '../../../daemon/sandbox/egress-proxy.js';
import {hostAllowed} from '../../../daemon/sandbox/host-patterns.js';

let dir: string;
let socketPath: string;
let proxy: EgressProxy | null;
const servers: (http.Server | https.Server)[] = [];
const agents: http.Agent[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'capsule-egress-'));
  socketPath = join(dir, 'egress.sock');
  proxy = null;
});

afterEach(async () => {
  await proxy?.close();
  for (const agent of agents.splice(0)) agent.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  rmSync(dir, {recursive: true, force: true});
});

async function upstream(handler: http.RequestListener, server: http.Server | https.Server = http.createServer()): Promise<number> {
  server.on('request', handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function start(hosts: string[]): Promise<EgressRequest[]> {
  const reported: EgressRequest[] = [];
  proxy = await startEgressProxy({socketPath, hosts, onRequest: (entry) => reported.push(entry)});
  return reported;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request to the proxy, as the sandbox sends it: absolute-form target over the unix socket. */
function send(target: string, options: http.RequestOptions = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({socketPath, path: target, ...options}, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: text}));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function settled(reported: EgressRequest[], count: number): Promise<void> {
  return expect.poll(() => reported.length).toBe(count) as unknown as Promise<void>;
}

describe('the egress proxy', () => {
  it('streams an allowed request both ways, forwards without hop-by-hop headers, and reports it', async () => {
    let seen: http.IncomingHttpHeaders = {};
    const port = await upstream((req, res) => {
      seen = req.headers;
      res.writeHead(201, {'x-upstream': 'yes', 'keep-alive': 'timeout=99'});
      // Each request chunk is answered as it arrives: the sandbox sends its second chunk only after it has this answer.
      req.on('data', (chunk: Buffer) => res.write(`got ${chunk.toString()};`));
      req.on('end', () => res.end('done'));
    });
    const reported = await start([`127.0.0.1:${port}`]);

    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = http.request({socketPath, path: `http://127.0.0.1:${port}/upload?x=1`, method: 'POST', headers: {'proxy-connection': 'keep-alive', 'x-task': 't1'}}, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.once('data', (first: string) => {
          text += first;
          req.end('two');
          res.on('data', (chunk: string) => (text += chunk));
        });
        res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: text}));
      });
      req.on('error', reject);
      req.write('one');
    });

    expect(answer.status).toBe(201);
    expect(answer.body).toBe('got one;got two;done');
    expect(answer.headers['x-upstream']).toBe('yes');
    expect(answer.headers['keep-alive']).not.toBe('timeout=99');
    expect(seen.host).toBe(`127.0.0.1:${port}`);
    expect(seen['x-task']).toBe('t1');
    expect(seen['proxy-connection']).toBeUndefined();
    await settled(reported, 1);
    expect(reported[0]).toMatchObject({method: 'POST', host: `127.0.0.1:${port}`, status: 201, bytes: Buffer.byteLength(answer.body), denied: false});
    expect(reported[0]?.durationMs).toBeGreaterThan(0);
  });

  it('keeps the connection to the sandbox alive across requests', async () => {
    const port = await upstream((_req, res) => res.end('ok'));
    await start([`127.0.0.1:${port}`]);
    const agent = new http.Agent({keepAlive: true, maxSockets: 1});
    agents.push(agent);
    const reused: boolean[] = [];
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get({socketPath, agent, path: `http://127.0.0.1:${port}/`}, (res) => {
          reused.push(req.reusedSocket);
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
      });
    }
    expect(reused).toEqual([false, true]);
  });

  it('refuses a host not allowed with 403, says which entry would allow it, and reports it denied', async () => {
    let reached = false;
    const port = await upstream((_req, res) => {
      reached = true;
      res.end();
    });
    const reported = await start([`127.0.0.1:${port}`, '*.example.org']);
    const answer = await send(`http://Denied.Example.com:8080/x`);
    expect(answer.status).toBe(403);
    expect(answer.headers['x-capsule-denied']).toBe('denied.example.com:8080');
    expect(answer.body).toBe('add "denied.example.com:8080" to allowedHosts\n');
    const https443 = await send('https://example.org/');
    expect(https443.headers['x-capsule-denied']).toBe('example.org:443');
    expect(https443.body).toBe('add "example.org" to allowedHosts\n');
    // The same host on another port is another entry.
    expect((await send(`http://127.0.0.1:${port + 1}/`)).status).toBe(403);
    expect(reached).toBe(false);
    await settled(reported, 3);
    expect(reported[0]).toMatchObject({method: 'GET', host: 'denied.example.com:8080', status: 403, denied: true});
  });

  it('refuses CONNECT, upgrades and origin-form targets, each saying what was refused', async () => {
    const port = await upstream((_req, res) => res.end());
    const reported = await start([`127.0.0.1:${port}`]);
    const connect = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({socketPath, method: 'CONNECT', path: `127.0.0.1:${port}`});
      req.on('connect', (res: http.IncomingMessage, socket: {destroy(): void}) => {
        socket.destroy();
        resolve(res);
      });
      req.on('error', reject);
      req.end();
    });
    expect(connect.statusCode).toBe(403);
    expect(connect.headers['x-capsule-denied']).toBe(`CONNECT 127.0.0.1:${port}`);

    const upgrade = await send(`http://127.0.0.1:${port}/ws`, {headers: {connection: 'Upgrade', upgrade: 'websocket'}});
    expect(upgrade.status).toBe(403);
    expect(upgrade.headers['x-capsule-denied']).toBe(`upgrade to websocket at http://127.0.0.1:${port}/ws`);

    const originForm = await send('/path');
    expect(originForm.status).toBe(403);
    expect(originForm.headers['x-capsule-denied']).toBe('origin-form target');
    expect(originForm.body).toMatch(/absolute-form/);

    await settled(reported, 3);
    expect(reported.map((entry) => [entry.method, entry.status, entry.denied])).toEqual([
      ['CONNECT', 403, true],
      ['GET', 403, true],
      ['GET', 403, true],
    ]);
  });

  it('reaches an IPv6 upstream allowed as [::1]:port and reports it in brackets', async () => {
    const server = http.createServer((_req, res) => res.end('v6'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    const port = (server.address() as AddressInfo).port;
    const reported = await start([`[::1]:${port}`]);
    expect(await send(`http://[::1]:${port}/`)).toMatchObject({status: 200, body: 'v6'});
    expect((await send(`http://[::1]:${port + 1}/`)).headers['x-capsule-denied']).toBe(`[::1]:${port + 1}`);
    await settled(reported, 2);
    expect(reported[0]).toMatchObject({host: `[::1]:${port}`, status: 200, bytes: 2});
  });

  it('answers an upstream failure with 502 and its code', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const reported = await start([`127.0.0.1:${port}`]);
    const answer = await send(`http://127.0.0.1:${port}/`);
    expect(answer.status).toBe(502);
    expect(answer.headers['x-capsule-error']).toBe('ECONNREFUSED');
    await settled(reported, 1);
    expect(reported[0]).toMatchObject({status: 502, denied: false});
  });

  it.runIf(existsSync('/usr/bin/openssl'))('verifies an https upstream’s certificate against the default CAs', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], {stdio: 'ignore'});
    const server = https.createServer({key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'))});
    let reached = false;
    const port = await upstream((_req, res) => {
      reached = true;
      res.end();
    }, server);
    await start([`127.0.0.1:${port}`]);
    const answer = await send(`https://127.0.0.1:${port}/`);
    expect(answer.status).toBe(502);
    expect(answer.headers['x-capsule-error']).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(reached).toBe(false);
  });

  it(`answers 503 beyond ${MAX_IN_FLIGHT} requests in flight`, async () => {
    const port = await upstream(() => {});
    const reported = await start([`127.0.0.1:${port}`]);
    const agent = new http.Agent({keepAlive: false, maxSockets: Infinity});
    agents.push(agent);
    const held = Array.from({length: MAX_IN_FLIGHT}, () => {
      const req = http.get({socketPath, agent, path: `http://127.0.0.1:${port}/`});
      req.on('error', () => {});
      return req;
    });
    await expect.poll(() => new Promise((resolve) => (servers[0] as http.Server).getConnections((_e, n) => resolve(n)))).toBe(MAX_IN_FLIGHT);
    const answer = await send(`http://127.0.0.1:${port}/`, {agent});
    expect(answer.status).toBe(503);
    expect(answer.headers['x-capsule-error']).toBe('busy');
    for (const req of held) req.destroy();
    await settled(reported, MAX_IN_FLIGHT + 1);
  });

  it('ends a connection that does not finish its headers in time with 408', async () => {
    proxy = await startEgressProxy({socketPath, hosts: [], headersTimeoutMs: 200});
    const slow = net.connect(socketPath);
    slow.write('GET http://127.0.0.1:1/ HTTP/1.1\r\n');
    let answered = '';
    slow.on('data', (chunk: Buffer) => (answered += chunk.toString()));
    const startedAt = Date.now();
    await new Promise((resolve) => slow.on('close', resolve));
    expect(answered).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('ends a response whose upstream goes silent, and reports what got through', async () => {
    const port = await upstream((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const reported: EgressRequest[] = [];
    proxy = await startEgressProxy({socketPath, hosts: [`127.0.0.1:${port}`], onRequest: (entry) => reported.push(entry), idleTimeoutMs: 300});
    const cut = await new Promise<string>((resolve) => {
      http
        .get({socketPath, path: `http://127.0.0.1:${port}/`}, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('close', () => resolve(`${res.complete ? 'complete' : 'cut'} after ${body}`));
        })
        .on('error', () => {});
    });
    expect(cut).toBe('cut after partial');
    await settled(reported, 1);
    expect(reported[0]).toMatchObject({status: 200, bytes: 'partial'.length});
  });

  it('close() ends the requests in flight, reports them without a status and removes its socket', async () => {
    let arrived = false;
    const port = await upstream(() => {
      arrived = true;
    });
    const reported = await start([`127.0.0.1:${port}`]);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    const ended = new Promise<string>((resolve) => {
      const req = http.get({socketPath, path: `http://127.0.0.1:${port}/slow`}, () => resolve('response'));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    await expect.poll(() => arrived).toBe(true);
    await proxy?.close();
    proxy = null;
    expect(await ended).toBe('ECONNRESET');
    expect(existsSync(socketPath)).toBe(false);
    expect(reported).toMatchObject([{method: 'GET', host: `127.0.0.1:${port}`, status: null, bytes: 0, denied: false}]);
  });

  it('says why it cannot listen', async () => {
    await start([]);
    await expect(startEgressProxy({socketPath, hosts: []})).rejects.toThrow(`the egress proxy cannot listen on ${socketPath} (EADDRINUSE)`);
  });
});

describe('hostAllowed', () => {
  const cases: [string[], string, number, boolean][] = [
    [['api.example.com'], 'api.example.com', 443, true],
    [['api.example.com'], 'API.Example.COM', 8080, true],
    [['api.example.com.'], 'api.example.com', 80, true],
    [['api.example.com'], 'api.example.com.', 80, true],
    [['api.example.com'], 'example.com', 443, false],
    [['api.example.com'], 'xapi.example.com', 443, false],
    [['*.example.org'], 'a.example.org', 443, true],
    [['*.example.org'], 'a.b.c.example.org', 80, true],
    [['*.example.org'], 'example.org', 443, false],
    [['*.example.org'], 'badexample.org', 443, false],
    [['127.0.0.1:8080'], '127.0.0.1', 8080, true],
    [['127.0.0.1:8080'], '127.0.0.1', 8081, false],
    [['api.example.com:443'], 'api.example.com', 443, true],
    [['api.example.com:443'], 'api.example.com', 80, false],
    [['[::1]:8080'], '::1', 8080, true],
    [['[::1]:8080'], '[::1]', 8080, true],
    [['[::1]:8080'], '::1', 9090, false],
    [['[0:0:0:0:0:0:0:1]'], '::1', 1, true],
    [['*.example.org:8443'], 'x.example.org', 8443, true],
    [['*.example.org:8443'], 'x.example.org', 443, false],
    [['nope:99999', 'a b', '', '*'], 'nope', 99999, false],
    [[], 'api.example.com', 443, false],
  ];
  it.each(cases)('%j allows %s:%i → %s', (patterns, host, port, expected) => {
    expect(hostAllowed(patterns, host, port)).toBe(expected);
  });
});
