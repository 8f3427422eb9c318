// The sandbox's network shim, run where it runs: in a child node process (bundled with esbuild,
// as the launcher loads it), in front of a real egress proxy and a real upstream on 127.0.0.1,
// plain and under Node's permission model.
import type {EgressRequest} from '../../../src/protocol/index.js';
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {build} from 'esbuild';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {startEgressProxy, type EgressProxy} from '../../../daemon/sandbox/egress-proxy.js';

let dir: string;
let upstream: http.Server;
let port: number;
let upstreamConnections = 0;
const LARGE_BYTES = 64 * 1024 * 1024;
let largeWritten = 0;
const releaseHeld: (() => void)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capsule-sandbox-net-'));
  await build({entryPoints: ['daemon/worker/sandbox-network.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: join(dir, 'shim.mjs'), logLevel: 'warning'});
  upstream = http.createServer((req, res) => {
    if (req.url === '/held') {
      // Answers its first part now and the rest when the child asks for /release: only a streamed response gets the first part.
      res.writeHead(200, {'content-type': 'text/plain'});
      res.write('first part;');
      releaseHeld.push(() => res.end('second part'));
      return;
    }
    if (req.url === '/release') {
      for (const release of releaseHeld.splice(0)) release();
      res.end('released');
      return;
    }
    if (req.url === '/silent') return;
    if (req.url === '/large') {
      // As fast as the connection takes it: how far it gets shows whether the reader's pause reaches back here.
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = (): void => {
        while (largeWritten < LARGE_BYTES && !res.destroyed) {
          largeWritten += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
      return;
    }
    if (req.url === '/progress') {
      res.end(String(largeWritten));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => res.end(JSON.stringify({method: req.method, url: req.url, host: req.headers.host, body: Buffer.concat(chunks).toString()})));
  });
  upstream.on('connection', () => upstreamConnections++);
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  port = (upstream.address() as AddressInfo).port;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  rmSync(dir, {recursive: true, force: true});
});

let proxy: EgressProxy;
let reported: EgressRequest[];
let socketPath: string;
let script = 0;

beforeEach(async () => {
  socketPath = join(dir, `egress-${++script}.sock`);
  reported = [];
  upstreamConnections = 0;
  proxy = await startEgressProxy({socketPath, hosts: [`127.0.0.1:${port}`], onRequest: (entry) => reported.push(entry)});
});

afterEach(async () => {
  for (const release of releaseHeld.splice(0)) release();
  await proxy.close();
});

const HEADER = `import {installSandboxNetwork} from './shim.mjs';
import http, {get as namedGet} from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import dgram from 'node:dgram';
import dns from 'node:dns';
installSandboxNetwork(process.env.EGRESS_SOCKET);
const base = 'http://127.0.0.1:' + process.env.UPSTREAM_PORT;
const failure = (error) => ({name: error.name, code: error.code, operation: error.operation, resource: error.resource, message: error.message});
const fetchFailure = (error) => ({message: error.message, cause: error.cause === undefined ? undefined : failure(error.cause)});
const answer = (res) => new Promise((resolve) => { let body = ''; res.setEncoding('utf8'); res.on('data', (c) => (body += c)); res.on('end', () => resolve({status: res.statusCode, headers: res.headers, body})); });
const outcome = (req) => new Promise((resolve) => { req.on('response', (res) => answer(res).then(resolve)); req.on('error', (error) => resolve(failure(error))); });
const socketOutcome = (socket) => new Promise((resolve) => { socket.on('connect', () => resolve('connected')); socket.on('error', (error) => resolve(failure(error))); });
`;

const PERMISSION = (): string[] => ['--experimental-permission', `--allow-fs-read=${dir}`];
/** Where the sandbox sees the proxy's socket, as the launcher bind-mounts it. */
const MOUNTED_SOCKET = '/run/capsule/egress.sock';

interface Mode {
  mode: string;
  permission: string;
  /** The command that runs `file` with the proxy at `socketPath`, and where the child finds that socket. */
  launch(file: string, socketPath: string): {command: string; args: string[]; socket: string};
}

const MODES: Mode[] = [
  {mode: 'plain', permission: 'off', launch: (file, socket) => ({command: process.execPath, args: [file], socket})},
  {mode: 'the permission model', permission: 'reads only its directory', launch: (file, socket) => ({command: process.execPath, args: [...PERMISSION(), file], socket})},
];
const bwrap = ['/usr/bin/bwrap', '/bin/bwrap'].find((path) => existsSync(path));
if (process.platform === 'linux' && bwrap !== undefined) {
  MODES.push({
    mode: 'bubblewrap, no network of its own, and the permission model',
    permission: 'reads only its directory',
    launch: (file, socket) => ({
      command: bwrap,
      args: ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/run', '--bind', socket, MOUNTED_SOCKET, process.execPath, ...PERMISSION(), file],
      socket: MOUNTED_SOCKET,
    }),
  });
}

describe.each(MODES)('the sandbox network ($mode)', ({launch, permission}) => {
  /** Runs `body` (an async function body returning JSON) in a child with the shim installed. */
  async function inSandbox(body: string): Promise<Record<string, unknown>> {
    const file = join(dir, `case-${++script}.mjs`);
    writeFileSync(file, `${HEADER}\nconst result = await (async () => {\n${body}\n})();\nprocess.stdout.write(JSON.stringify(result));\n`);
    const {command, args, socket} = launch(file, socketPath);
    const child = spawn(command, args, {cwd: dir, env: {...process.env, EGRESS_SOCKET: socket, UPSTREAM_PORT: String(port)}, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`the sandboxed child exited ${code}: ${stderr}`);
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  it('fetch reaches an allowed host through the proxy: a POST body, a streamed request body, a streamed response', async () => {
    const result = await inSandbox(`
      const post = await fetch(base + '/post?x=1', {method: 'POST', body: 'hello', headers: {'x-task': 't'}});
      const posted = {status: post.status, json: await post.json()};
      const stream = new ReadableStream({start(c) { c.enqueue(new TextEncoder().encode('a')); c.enqueue(new TextEncoder().encode('b')); c.close(); }});
      const streamed = await (await fetch(base + '/stream', {method: 'PUT', body: stream, duplex: 'half'})).json();
      const held = await fetch(base + '/held');
      const reader = held.body.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      await (await fetch(base + '/release')).text();
      let rest = '';
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
      const permission = process.permission === undefined ? 'off' : process.permission.has('fs.read', '/etc') ? 'reads /etc' : 'reads only its directory';
      return {posted, streamed, first, rest, permission};
    `);
    expect(result).toEqual({
      permission,
      posted: {status: 200, json: {method: 'POST', url: '/post?x=1', host: `127.0.0.1:${port}`, body: 'hello'}},
      streamed: {method: 'PUT', url: '/stream', host: `127.0.0.1:${port}`, body: 'ab'},
      first: 'first part;',
      rest: 'second part',
    });
    await expect.poll(() => reported.length).toBe(4);
    expect(reported.find((entry) => entry.method === 'POST')).toMatchObject({host: `127.0.0.1:${port}`, status: 200, denied: false});
    expect(reported.find((entry) => entry.method === 'GET' && entry.bytes === 'first part;second part'.length)).toBeDefined();
  });

  it('fetch holds the response back while the task does not read it', async () => {
    largeWritten = 0;
    const result = await inSandbox(`
      const res = await fetch(base + '/large');
      const reader = res.body.getReader();
      const first = (await reader.read()).value.length;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const written = Number(await (await fetch(base + '/progress')).text());
      await reader.cancel();
      return {first: first > 0, written};
    `);
    expect(result.first).toBe(true);
    // Socket and stream buffers hold a few megabytes at most; without backpressure all 64 MB would be sent in that pause.
    expect(result.written).toBeLessThan(LARGE_BYTES / 4);
  });

  it('fetch to a host not allowed rejects "fetch failed" with the SandboxDeniedError as its cause', async () => {
    const result = await inSandbox(`
      try { await fetch('https://api.denied.test/v1'); return {resolved: true}; } catch (error) { return fetchFailure(error); }
    `);
    expect(result).toEqual({
      message: 'fetch failed',
      cause: {
        name: 'SandboxDeniedError',
        code: 'ERR_SANDBOX_DENIED',
        operation: 'request',
        resource: 'api.denied.test:443',
        message: 'the sandbox denied a request to api.denied.test:443: add "api.denied.test" to allowedHosts',
      },
    });
    await expect.poll(() => reported).toMatchObject([{method: 'GET', host: 'api.denied.test:443', status: 403, denied: true}]);
  });

  it('fetch honours an abort while the proxy waits for the upstream', async () => {
    const result = await inSandbox(`
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      let name = 'resolved';
      try { await fetch(base + '/silent', {signal: controller.signal}); } catch (error) { name = error.name; }
      // The aborted request ends at the proxy now, not when this process exits: before this next one.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await (await fetch(base + '/after')).text();
      return {name};
    `);
    expect(result).toEqual({name: 'AbortError'});
    await expect.poll(() => reported.map((entry) => entry.status)).toEqual([null, 200]);
  });

  it('http and https requests, in each call signature, go through the proxy', async () => {
    const result = await inSandbox(`
      return {
        getString: await outcome(http.get(base + '/a')),
        namedImport: await outcome(namedGet(base + '/b')),
        requestUrl: await outcome(http.request(new URL(base + '/c'), {method: 'POST'}).end('body')),
        requestOptions: await new Promise((resolve) => http.request({hostname: '127.0.0.1', port: process.env.UPSTREAM_PORT, path: '/d', method: 'DELETE'}, (res) => answer(res).then(resolve)).end()),
        getOptionsCallback: await new Promise((resolve) => http.get(base + '/e', {headers: {'x-a': '1'}}, (res) => answer(res).then(resolve))),
        httpsDenied: await outcome(https.request('https://denied.test/x').end()),
        httpsAllowed: await outcome(https.request({hostname: '127.0.0.1', port: process.env.UPSTREAM_PORT, path: '/tls'}).end()),
      };
    `);
    const seen = (path: string, method = 'GET') => ({status: 200, body: JSON.stringify({method, url: path, host: `127.0.0.1:${port}`, body: method === 'POST' ? 'body' : ''})});
    expect(result.getString).toMatchObject(seen('/a'));
    expect(result.namedImport).toMatchObject(seen('/b'));
    expect(result.requestUrl).toMatchObject(seen('/c', 'POST'));
    expect(result.requestOptions).toMatchObject(seen('/d', 'DELETE'));
    expect(result.getOptionsCallback).toMatchObject(seen('/e'));
    expect(result.httpsDenied).toMatchObject({code: 'ERR_SANDBOX_DENIED', operation: 'request', resource: 'denied.test:443'});
    // The proxy made the TLS connection itself; the plain upstream cannot answer one.
    expect(result.httpsAllowed).toMatchObject({status: 502, headers: {'x-capsule-error': expect.any(String)}});
    await expect.poll(() => reported.length).toBe(7);
    expect(reported.map((entry) => entry.host).sort()).toEqual([...Array(6).fill(`127.0.0.1:${port}`), 'denied.test:443'].sort());
  });

  it('refuses every other socket and every name lookup with ERR_SANDBOX_DENIED, asynchronously', async () => {
    const result = await inSandbox(`
      const port = Number(process.env.UPSTREAM_PORT);
      const udp = dgram.createSocket('udp4');
      const bound = dgram.createSocket('udp4');
      const out = {
        netConnect: await socketOutcome(net.connect(port, '127.0.0.1')),
        createConnection: await socketOutcome(net.createConnection({host: '127.0.0.1', port})),
        socketConnect: await socketOutcome(new net.Socket().connect(port)),
        unixPath: await socketOutcome(net.connect('/run/other.sock')),
        tlsConnect: await socketOutcome(tls.connect({host: 'example.com', port: 443})),
        udpSend: await new Promise((resolve) => udp.send('x', 53, '8.8.8.8', (error) => resolve(failure(error)))),
        udpBind: await new Promise((resolve) => { bound.on('error', (error) => resolve(failure(error))); bound.bind(5353); }),
        lookup: await new Promise((resolve) => dns.lookup('example.com', (error) => resolve(failure(error)))),
        promisesLookup: await dns.promises.lookup('example.com').then(() => 'resolved', failure),
        resolve4: await new Promise((resolve) => dns.resolve4('example.com', (error) => resolve(failure(error)))),
        resolver: await new dns.promises.Resolver().resolveTxt('example.com').then(() => 'resolved', failure),
      };
      let sync = 'nothing thrown';
      try { net.connect(port, '127.0.0.1').on('error', () => {}); } catch (error) { sync = 'thrown'; }
      udp.close(); bound.close();
      return {...out, sync};
    `);
    const refused = (resource: string) => ({name: 'SandboxDeniedError', code: 'ERR_SANDBOX_DENIED', operation: 'connect', resource});
    expect(result).toMatchObject({
      netConnect: refused(`127.0.0.1:${port}`),
      createConnection: refused(`127.0.0.1:${port}`),
      socketConnect: refused(`localhost:${port}`),
      unixPath: refused('/run/other.sock'),
      tlsConnect: refused('example.com:443'),
      udpSend: refused('udp 8.8.8.8:53'),
      udpBind: refused('udp 0.0.0.0:5353'),
      lookup: refused('example.com'),
      promisesLookup: refused('example.com'),
      resolve4: refused('example.com'),
      resolver: refused('example.com'),
      sync: 'nothing thrown',
    });
    expect((result.netConnect as {message: string}).message).toBe(`the sandbox denied a connection to 127.0.0.1:${port}: only HTTP(S) to allowedHosts, through fetch, http and https`);
    expect(upstreamConnections).toBe(0);
  });
});
