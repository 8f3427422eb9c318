import {mkdir, mkdtemp, rm} from 'node:fs/promises';
import {createServer, type Server, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {NO_NAMES} from '../../../src/cli/completion/candidates.js';
import {liveNames} from '../../../src/cli/completion/live.js';
import {homePaths} from '../../../src/lib/home.js';
import {waitFor} from '../../helpers/cli.js';

let home: string | undefined;
let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (home) await rm(home, {recursive: true, force: true});
  server = home = undefined;
});

describe('the names completion asks the daemon for', () => {
  it('are none, at once, when no daemon runs', async () => {
    home = await mkdtemp(join(tmpdir(), 'cap-'));
    const started = Date.now();
    expect(await liveNames(homePaths({CAPSULE_HOME: home}), ['task'])).toEqual(NO_NAMES);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('are none after the timeout from a daemon that does not answer, whose connection is then closed', async () => {
    home = await mkdtemp(join(tmpdir(), 'cap-'));
    const paths = homePaths({CAPSULE_HOME: home});
    await mkdir(paths.socketDir, {recursive: true});
    const connections: Socket[] = [];
    let closed = 0;
    server = createServer((socket) => {
      connections.push(socket);
      // Read (and drop) the hello: a socket nobody reads never sees its peer's end.
      socket.resume();
      socket.on('close', () => closed++);
    });
    await new Promise<void>((resolve) => server!.listen(paths.socket, resolve));
    const started = Date.now();
    expect(await liveNames(paths, ['task', 'run'], {timeoutMs: 200})).toEqual(NO_NAMES);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(connections).toHaveLength(1);
    await waitFor(() => closed === 1, {what: 'the connection to be closed'});
  });

  it('ask nothing when the word takes no names', async () => {
    home = await mkdtemp(join(tmpdir(), 'cap-'));
    const paths = homePaths({CAPSULE_HOME: home});
    await mkdir(paths.socketDir, {recursive: true});
    let connected = false;
    server = createServer(() => (connected = true));
    await new Promise<void>((resolve) => server!.listen(paths.socket, resolve));
    expect(await liveNames(paths, [])).toEqual(NO_NAMES);
    expect(connected).toBe(false);
  });
});
