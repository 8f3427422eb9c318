import {mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {sha256} from '../../../daemon/executor/content-hash.js';
import {DiscoveryCache, keyMismatch, type DiscoveryKey} from '../../../daemon/executor/discovery-cache.js';

const KEY: DiscoveryKey = {capsule: '1.0.0', node: 'v20.0.0', entryFiles: ['/p/tasks/a.ts', '/p/tasks/b.ts'], hashes: {'/p/tasks/a.ts': 'ha', '/p/lib/util.ts': 'hu'}};
const hashes = (now: Record<string, string | null>) => async (path: string) => now[path] ?? null;
const base = {capsule: KEY.capsule, node: KEY.node, entryFiles: KEY.entryFiles};

describe('keyMismatch', () => {
  it('accepts a key whose versions, entry files and every hash are the same', async () => {
    expect(await keyMismatch(KEY, base, hashes({'/p/tasks/a.ts': 'ha', '/p/lib/util.ts': 'hu'}))).toBeNull();
  });

  it('refuses another Capsule or Node version', async () => {
    const same = hashes({'/p/tasks/a.ts': 'ha', '/p/lib/util.ts': 'hu'});
    expect(await keyMismatch(KEY, {...base, capsule: '1.0.1'}, same)).toBe('capsule 1.0.0 → 1.0.1');
    expect(await keyMismatch(KEY, {...base, node: 'v22.1.0'}, same)).toBe('node v20.0.0 → v22.1.0');
  });

  it('refuses an added, a removed or a renamed entry file', async () => {
    const same = hashes({'/p/tasks/a.ts': 'ha', '/p/lib/util.ts': 'hu'});
    expect(await keyMismatch(KEY, {...base, entryFiles: [...KEY.entryFiles, '/p/tasks/c.ts']}, same)).toBe('the entry files matched changed');
    expect(await keyMismatch(KEY, {...base, entryFiles: ['/p/tasks/a.ts']}, same)).toBe('the entry files matched changed');
    expect(await keyMismatch(KEY, {...base, entryFiles: ['/p/tasks/a.ts', '/p/tasks/z.ts']}, same)).toBe('the entry files matched changed');
  });

  it('refuses a changed or vanished file the discovery read, imported ones included', async () => {
    expect(await keyMismatch(KEY, base, hashes({'/p/tasks/a.ts': 'ha', '/p/lib/util.ts': 'changed'}))).toBe('/p/lib/util.ts changed');
    expect(await keyMismatch(KEY, base, hashes({'/p/tasks/a.ts': 'ha'}))).toBe('/p/lib/util.ts changed');
  });
});

describe('DiscoveryCache', () => {
  let dir: string;
  let project: string;
  let warnings: string[];
  let cache: DiscoveryCache;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dcache-'));
    project = await mkdtemp(join(tmpdir(), 'dproj-'));
    warnings = [];
    cache = new DiscoveryCache({dir: join(dir, 'discovery'), capsuleVersion: '1.0.0', onWarning: (message) => warnings.push(message)});
  });

  afterEach(async () => {
    await rm(dir, {recursive: true, force: true});
    await rm(project, {recursive: true, force: true});
  });

  /** A discovery of `entry` as a worker served it with `content`. */
  const discovery = (entry: string, content = 'one') => ({
    tasks: [{name: 'a', exportName: 'a', modulePath: entry, options: {when: new Date(0), pattern: /x/}}],
    modules: new Map([[`file://${entry}`, {format: 'module' as const, source: 'export {}'}]]),
    hashes: {[entry]: sha256(content)},
  });

  it('gives back what it stored, values structured-clone can carry included, until a file read changes', async () => {
    const entry = join(project, 'a.ts');
    await writeFile(entry, 'one');
    cache.store(project, [entry], discovery(entry));
    await cache.settled();
    const hit = await cache.lookup(project, [entry]);
    expect(hit).toEqual(discovery(entry));
    await writeFile(entry, 'two');
    expect(await cache.lookup(project, [entry])).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('keys on the content the discovery was served, not the file as it is when the store runs', async () => {
    const entry = join(project, 'a.ts');
    await writeFile(entry, 'saved after the discovery read it');
    cache.store(project, [entry], discovery(entry, 'one'));
    await cache.settled();
    expect(await cache.lookup(project, [entry])).toBeNull();
  });

  it('keeps one file per project directory, and another directory never reads it', async () => {
    const entry = join(project, 'a.ts');
    await writeFile(entry, 'one');
    cache.store(project, [entry], discovery(entry));
    cache.store(project, [entry], discovery(entry));
    await cache.settled();
    expect(await readdir(join(dir, 'discovery'))).toHaveLength(1);
    expect(await cache.lookup(`${project}-other`, [entry])).toBeNull();
  });

  it('ignores a corrupt file with a warning, and forgets and prunes', async () => {
    const entry = join(project, 'a.ts');
    await writeFile(entry, 'one');
    cache.store(project, [entry], discovery(entry));
    await cache.settled();
    const [file] = await readdir(join(dir, 'discovery'));
    await writeFile(join(dir, 'discovery', file!), 'garbage');
    expect(await cache.lookup(project, [entry])).toBeNull();
    expect(warnings[0]).toContain(`ignoring the unreadable discovery cache ${join(dir, 'discovery', file!)} of ${project}`);

    cache.store(project, [entry], discovery(entry));
    await cache.prune([project]);
    expect(await readdir(join(dir, 'discovery'))).toHaveLength(1);
    await cache.prune([]);
    expect(await readdir(join(dir, 'discovery'))).toEqual([]);
    cache.store(project, [entry], discovery(entry));
    await cache.settled();
    await cache.forget(project);
    expect(await readdir(join(dir, 'discovery'))).toEqual([]);
  });

  it('forgets after a write still under way, and prunes after it too: neither leaves a file behind', async () => {
    const entry = join(project, 'a.ts');
    await writeFile(entry, 'one');
    cache.store(project, [entry], discovery(entry));
    await cache.forget(project);
    expect(await readdir(join(dir, 'discovery'))).toEqual([]);
    cache.store(project, [entry], discovery(entry));
    await cache.prune([]);
    expect(await readdir(join(dir, 'discovery'))).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('prunes the temp file a crashed daemon left, never one a write of its own is filling', async () => {
    await mkdir(join(dir, 'discovery'));
    await writeFile(join(dir, 'discovery', `x.v8.${process.pid + 1}.tmp`), 'left by a crash');
    await writeFile(join(dir, 'discovery', `y.v8.${process.pid}.tmp`), 'being written');
    await cache.prune([]);
    expect(await readdir(join(dir, 'discovery'))).toEqual([`y.v8.${process.pid}.tmp`]);
  });

  it('hashes content, not names', () => {
    expect(sha256('a')).toBe(sha256(Buffer.from('a')));
    expect(sha256('a')).not.toBe(sha256('b'));
  });
});
