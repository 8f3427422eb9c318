import {mkdtemp, rm} from 'node:fs/promises';
import {connect, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {DaemonClient} from '../../src/client/client.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {PROTOCOL_VERSION, type RunLogLine} from '../../src/protocol/index.js';
import {listen, MAX_TOTAL_PENDING_BYTES, type IpcServer, type ServerConnection} from '../../src/transport/ipc.js';
import {MAX_MESSAGE_BYTES} from '../../src/protocol/wire.js';
import {EventBus} from '../../daemon/core/event-bus.js';
import {MAX_SUBSCRIBER_BACKLOG_BYTES, RequestRouter} from '../../daemon/core/router.js';
import type {Logger} from '../../daemon/core/logger.js';

// The daemon's socket under hostile or careless clients (issue 12): real unix sockets served by
// the real transport and router. The time limits are shortened on a second server of their own.
const SHORT_MS = 300;

interface Served {
  socket: string;
  router: RequestRouter;
  opened: ServerConnection[];
  server: IpcServer;
}

let dir: string;
let relaxed: Served;
let strict: Served;
const bus = new EventBus();
const warnings: string[] = [];
const logger = {debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {}} as unknown as Logger;

async function serve(name: string, helloTimeoutMs: number, stalledMessageMs: number): Promise<Served> {
  const socket = join(dir, `${name}.sock`);
  const router = new RequestRouter({'daemon.status': () => ({}) as never}, bus, logger, 'test', () => null, {helloTimeoutMs});
  const opened: ServerConnection[] = [];
  const callbacks = {
    onOpen: (connection: ServerConnection) => {
      opened.push(connection);
      router.onOpen(connection);
    },
    onMessage: (connection: ServerConnection, line: string) => router.onMessage(connection, line),
    onClose: (connection: ServerConnection) => router.onClose(connection),
    onProtocolError: (connection: ServerConnection, error: CapsuleError) => router.onProtocolError(connection, error),
  };
  return {socket, router, opened, server: await listen(socket, callbacks, {stalledMessageMs})};
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsule-socket-'));
  relaxed = await serve('relaxed', 60_000, 60_000);
  strict = await serve('strict', SHORT_MS, SHORT_MS);
});

afterAll(async () => {
  await relaxed.server.close();
  await strict.server.close();
  await rm(dir, {recursive: true, force: true});
});

/** A raw socket and every line it receives until the daemon ends it. */
function rawClient(served = relaxed): {socket: Socket; lines: unknown[]; ended: Promise<void>} {
  const socket = connect(served.socket);
  const lines: unknown[] = [];
  let buffer = '';
  socket.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const part of parts) lines.push(JSON.parse(part));
  });
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {socket, lines, ended};
}

const hello = (id = 1) => `${JSON.stringify({id, method: 'hello', params: {protocol: PROTOCOL_VERSION, client: 'test'}})}\n`;

describe('the socket under hostile clients', () => {
  test('method names resolve as own names only: Object.prototype answers nothing', async () => {
    const client = rawClient();
    client.socket.write(hello());
    const names = ['constructor', 'hasOwnProperty', '__proto__', 'toString', 'valueOf'];
    names.forEach((method, index) => client.socket.write(`${JSON.stringify({id: index + 2, method, params: {}})}\n`));
    await until(() => client.lines.length === names.length + 1);
    for (const [index, method] of names.entries()) {
      expect(client.lines[index + 1]).toMatchObject({id: index + 2, ok: false, error: {code: 'bad_request', message: `unknown method "${method}"`}});
    }
    client.socket.destroy();
  });

  test('a connection that never says hello is closed, told why', async () => {
    const client = rawClient(strict);
    await client.ended;
    expect(client.lines).toEqual([{id: null, ok: false, error: expect.objectContaining({code: 'bad_request', message: `no hello within ${SHORT_MS / 1000} s of connecting`})}]);
  });

  test('a message begun and never finished is dropped, told why', async () => {
    const client = rawClient(strict);
    client.socket.write(hello());
    client.socket.write('{"id":2,"method":"daemon.status"');
    await client.ended;
    expect(client.lines.at(-1)).toEqual({id: null, ok: false, error: expect.objectContaining({code: 'bad_request', message: `a message was begun but not finished within ${SHORT_MS / 1000} s`})});
  });

  test('unfinished messages are capped across connections, and a dropped one gives its share back', async () => {
    const share = MAX_MESSAGE_BYTES - 1024;
    const count = Math.floor(MAX_TOTAL_PENDING_BYTES / share) + 1;
    const clients = Array.from({length: count}, () => rawClient());
    for (const client of clients) {
      client.socket.write(hello());
      await until(() => client.lines.length === 1);
      await new Promise<void>((resolve) => client.socket.write(`{"pad":"${'x'.repeat(share)}`, () => resolve()));
    }
    const last = clients.at(-1)!;
    await last.ended;
    expect(last.lines.at(-1)).toMatchObject({id: null, ok: false, error: {code: 'message_too_large'}});
    // The first ones are still open: the cap refuses the newcomer, not those already holding a share.
    expect(clients[0]!.socket.destroyed).toBe(false);
    for (const client of clients.slice(0, -1)) client.socket.destroy();
    await Promise.all(clients.map((client) => client.ended));
    // Their shares are released: a new client can hold one again.
    const again = rawClient();
    again.socket.write(hello());
    await new Promise<void>((resolve) => again.socket.write(`{"pad":"${'x'.repeat(share)}`, () => resolve()));
    again.socket.write('"}\n');
    await until(() => again.lines.length === 2);
    expect(again.lines[1]).toMatchObject({id: null, ok: false, error: {code: 'bad_request'}});
    again.socket.destroy();
  });

  test('a subscriber that stops reading is dropped once, and reads why after its backlog', async () => {
    warnings.length = 0;
    const client = rawClient();
    client.socket.write(hello());
    client.socket.write(`${JSON.stringify({id: 2, method: 'subscribe', params: {topics: ['run']}})}\n`);
    await until(() => client.lines.length === 2);
    client.socket.pause();
    const line: RunLogLine = {runId: 'run_x', seq: 1, attempt: 1, time: new Date(0).toISOString(), level: 'log', message: 'y'.repeat(8 * 1024)};
    // Far more than the backlog cap: every event after the drop must be discarded silently.
    const events = Math.ceil((2 * MAX_SUBSCRIBER_BACKLOG_BYTES) / line.message.length);
    for (let index = 0; index < events; index++) {
      bus.publish('run.log', {...line, seq: index + 1});
      if (index % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(warnings.filter((warning) => warning.includes('read its events too slowly'))).toHaveLength(1);
    client.socket.resume();
    await client.ended;
    expect(client.lines.length).toBeGreaterThan(100);
    expect(client.lines.at(-1)).toMatchObject({id: null, ok: false, error: {code: 'failed', message: expect.stringContaining('read its events too slowly')}});
  });

  test('a client told why it is dropped fails its waiters and close listeners with that reason', async () => {
    const client = await DaemonClient.connect({socket: relaxed.socket, home: dir});
    const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    relaxed.router.onProtocolError(relaxed.opened.at(-1)!, new CapsuleError('failed', 'dropped for the test'));
    const reason = await closed;
    expect(reason).toBeInstanceOf(CapsuleError);
    expect(reason).toMatchObject({code: 'failed', message: 'dropped for the test'});
    expect(client.closeReason).toBe(reason);
    await expect(client.call('daemon.status', {})).rejects.toMatchObject({code: 'daemon_unreachable'});
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
