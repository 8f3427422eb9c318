import {readlinkSync} from 'node:fs';
import {mkdtemp, open, readFile, rm, stat, writeFile, type FileHandle} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {loadAgentKey} from '../../../daemon/agent/agent-key.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsule-agent-key-'));
});

afterEach(async () => {
  await rm(dir, {recursive: true, force: true});
});

describe('agent key', () => {
  it('is created once, readable by its owner only, and the same on the next load', async () => {
    const file = join(dir, 'agent.key');
    const key = await loadAgentKey(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await loadAgentKey(file)).equals(key)).toBe(true);
  });

  it('replaces a damaged key file', async () => {
    const file = join(dir, 'agent.key');
    await writeFile(file, 'not a key');
    const key = await loadAgentKey(file);
    expect(key).toHaveLength(32);
    expect(await readFile(file, 'utf8')).toBe(key.toString('hex'));
  });

  it('is on disk, and its name in the directory, before the daemon seals anything with it', async () => {
    const probe = await open(__filename, 'r');
    const prototype = Object.getPrototypeOf(probe) as {sync: () => Promise<void>};
    await probe.close();
    const synced: string[] = [];
    const original = prototype.sync;
    const spy = vi.spyOn(prototype, 'sync').mockImplementation(async function (this: FileHandle) {
      const path = readlinkSync(`/proc/self/fd/${this.fd}`);
      await original.call(this);
      synced.push(path === dir ? 'dir' : basename(path));
    });
    try {
      await loadAgentKey(join(dir, 'agent.key'));
    } finally {
      spy.mockRestore();
    }
    expect(synced).toEqual(['.agent.key.tmp', 'dir']);
  });
});
