import {mkdtemp, rm} from 'node:fs/promises';
import {connect as connectTcp} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {connect, type TLSSocket} from 'node:tls';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {listenTls, REMOTE_CONNECTION_ID_BASE, type AgentListener, type ListenerOptions, type RemotePeer} from '../../../daemon/remote/agent-listener.js';
import {loadOrCreateCertificate, type DaemonCertificate} from '../../../daemon/remote/certificate.js';
import type {CapsuleError} from '../../../src/lib/errors.js';
import {waitFor} from '../supervisor/harness.js';

let certificate: DaemonCertificate;
let listener: AgentListener | null = null;
const sockets: TLSSocket[] = [];

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'capsule-listener-'));
  certificate = await loadOrCreateCertificate(dir, 'localhost');
  await rm(dir, {recursive: true, force: true});
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await listener?.close();
  listener = null;
});

interface Seen {
  opened: RemotePeer[];
  lines: string[];
  closed: number[];
  errors: CapsuleError[];
}

async function start(options: Partial<ListenerOptions> = {}): Promise<Seen> {
  const seen: Seen = {opened: [], lines: [], closed: [], errors: []};
  listener = await listenTls(
    {host: '127.0.0.1', port: 0, key: certificate.key, cert: certificate.cert, ...options},
    {
      onOpen: (peer) => seen.opened.push(peer),
      onMessage: (peer, line) => {
        seen.lines.push(line);
        peer.send({echo: line});
      },
      onClose: (peer) => seen.closed.push(peer.id),
      onProtocolError: (_peer, error) => seen.errors.push(error),
    },
  );
  return seen;
}

function client(): Promise<{socket: TLSSocket; received: () => string; closed: Promise<void>}> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect({host: '127.0.0.1', port: listener!.port, rejectUnauthorized: false}, () => resolve({socket, received: () => text, closed}));
    sockets.push(socket);
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', reject);
  });
}

describe('the remote agents\' TLS listener', () => {
  it('frames messages split across writes, answers each, and numbers its peers apart from the socket\'s', async () => {
    const seen = await start();
    const {socket, received} = await client();
    socket.write('{"a":');
    socket.write('1}\n{"b":2}\n');
    await waitFor('both echoes', () => received().split('\n').length === 3);
    expect(seen.lines).toEqual(['{"a":1}', '{"b":2}']);
    expect(seen.opened[0]!.id).toBeGreaterThanOrEqual(REMOTE_CONNECTION_ID_BASE);
    expect(seen.opened[0]!.address).toBe('127.0.0.1');
  });

  it('drops an oversized frame, a stalled frame and a silent peer with the reason, and goes on serving', async () => {
    const seen = await start({maxMessageBytes: 1024, stalledMessageMs: 200, idleTimeoutMs: 300});
    const big = await client();
    big.socket.write(Buffer.alloc(2048, 0x61));
    await big.closed;
    expect(JSON.parse(big.received().trim())).toMatchObject({id: null, ok: false, error: {code: 'message_too_large'}});
    const stalled = await client();
    stalled.socket.write('{"unfinished":');
    await stalled.closed;
    expect(stalled.received()).toContain('begun but not finished');
    const silent = await client();
    await silent.closed;
    expect(silent.received()).toContain('nothing received for 0.3 s');
    expect(seen.errors.map((error) => error.code)).toEqual(['message_too_large', 'bad_request', 'bad_request']);
    const next = await client();
    next.socket.write('{"still":"here"}\n');
    await waitFor('an echo', () => next.received().includes('still'));
  });

  it('refuses plain TCP, and turns an address away before TLS once it failed too often', async () => {
    await start({throttle: {maxFailures: 3, windowMs: 60_000}});
    listener!.recordFailure('10.0.0.1');
    for (let tries = 0; tries < 3; tries++) {
      await new Promise<void>((resolve) => {
        const socket = connectTcp(listener!.port, '127.0.0.1', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
        socket.on('close', () => resolve());
        socket.on('error', () => undefined);
      });
    }
    await waitFor('the address to be throttled', () => listener!.isThrottled('127.0.0.1'));
    expect(listener!.isThrottled('10.0.0.1')).toBe(false);
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({host: '127.0.0.1', port: listener!.port, rejectUnauthorized: false}, () => resolve('handshake'));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(refused).not.toBe('handshake');
  });
});
