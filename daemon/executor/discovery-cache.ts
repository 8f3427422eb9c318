import {mkdir, readFile, readdir, rename, rm, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {deserialize, serialize} from 'node:v8';
import type {DiscoveredTask} from '../runner/executor-api.js';
import type {ModuleSource} from '../worker/protocol.js';
import {PRIVATE_DIR_MODE, PRIVATE_FILE_MODE} from '../core/private-file.js';
import {hashFile, sha256} from './content-hash.js';
import type {Discovery} from './discover.js';

/** Bumped when what a cache file holds changes shape: an older file is then a miss, never misread. */
const CACHE_FORMAT = 1;

/**
 * What a discovery's result depends on: Capsule's version (the SDK, the loader, the compiler
 * options), Node's (the compiled output and module resolution), the entry files the globs
 * matched, and the content hash of every file the discovery read.
 */
export interface DiscoveryKey {
  capsule: string;
  node: string;
  /** Absolute paths, sorted, as expandEntries gives them. */
  entryFiles: string[];
  /** Absolute path → sha256 (hex) of the content, for every file the discovery's worker asked for. */
  hashes: Record<string, string>;
}

interface CacheFile {
  format: typeof CACHE_FORMAT;
  root: string;
  key: DiscoveryKey;
  tasks: DiscoveredTask[];
  modules: [string, ModuleSource][];
}

/** Why a stored key does not fit what is on disk now (null: it does); `hashOf` gives a file's hash now, null if it cannot be read. */
export async function keyMismatch(stored: DiscoveryKey, now: Omit<DiscoveryKey, 'hashes'>, hashOf: (path: string) => Promise<string | null>): Promise<string | null> {
  if (stored.capsule !== now.capsule) return `capsule ${stored.capsule} → ${now.capsule}`;
  if (stored.node !== now.node) return `node ${stored.node} → ${now.node}`;
  if (stored.entryFiles.length !== now.entryFiles.length || stored.entryFiles.some((file, index) => file !== now.entryFiles[index])) return 'the entry files matched changed';
  for (const [path, hash] of Object.entries(stored.hashes)) {
    if ((await hashOf(path)) !== hash) return `${path} changed`;
  }
  return null;
}

function isCacheFile(value: unknown, root: string): value is CacheFile {
  const file = value as Partial<CacheFile> | null;
  return (
    typeof file === 'object' && file !== null && file.format === CACHE_FORMAT && file.root === root && Array.isArray(file.tasks) && Array.isArray(file.modules) &&
    typeof file.key?.capsule === 'string' && typeof file.key.node === 'string' && Array.isArray(file.key.entryFiles) && typeof file.key.hashes === 'object' && file.key.hashes !== null
  );
}

export interface DiscoveryCacheOptions {
  dir: string;
  capsuleVersion: string;
  onWarning(message: string): void;
}

/**
 * The last successful discovery of each registered project, in CAPSULE_HOME/discovery (one file
 * per project directory, removed with the project), so a daemon restarted with nothing changed
 * does not run 500 projects' entry modules again. Files a discovery's worker loads without asking
 * the daemon (CommonJS required from CommonJS, files read by top-level code) are not in the key:
 * `capsule project reload` always discovers afresh. A file that cannot be read back is a miss,
 * logged, never an error.
 */
export class DiscoveryCache {
  /** The last write or removal asked for, per project directory (one each: a later one chains after it). */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly options: DiscoveryCacheOptions) {}

  /** The stored discovery of `root` if it still fits the files on disk; null otherwise. */
  async lookup(root: string, entryFiles: string[]): Promise<Discovery | null> {
    const file = this.fileOf(root);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return null;
    }
    let stored: unknown;
    try {
      stored = deserialize(bytes);
    } catch (error) {
      stored = error;
    }
    if (!isCacheFile(stored, root)) {
      this.options.onWarning(`ignoring the unreadable discovery cache ${file} of ${root}: it is discovered again and the file rewritten`);
      return null;
    }
    const mismatch = await keyMismatch(stored.key, this.keyBase(entryFiles), hashFile);
    if (mismatch !== null) return null;
    return {tasks: stored.tasks, modules: new Map(stored.modules), hashes: stored.key.hashes};
  }

  /**
   * Stores a successful discovery of `root` in the background: the load it came from goes on at
   * once. The key holds the hashes of the bytes the discovery was served (`discovery.hashes`), not
   * of the files read again now, so a file saved meanwhile is a miss next time. A failure to write
   * only costs the next start a discovery.
   */
  store(root: string, entryFiles: string[], discovery: Discovery): void {
    void this.after(root, () => this.write(root, entryFiles, discovery));
  }

  /** After the write under way of `root`, if any: a file it would have left does not outlive the project. */
  forget(root: string): Promise<void> {
    return this.after(root, () => rm(this.fileOf(root), {force: true}));
  }

  /** Removes the files of directories no longer registered (a project removed while the daemon was down, a temp file a crash left). */
  async prune(roots: Iterable<string>): Promise<void> {
    // The writes asked for before it land first; one asked for meanwhile (a reload) keeps its temp file, named by this process.
    await this.settled();
    const kept = new Set([...roots].map((root) => fileName(root)));
    const ours = `.${process.pid}.tmp`;
    let names: string[];
    try {
      names = await readdir(this.options.dir);
    } catch {
      return;
    }
    await Promise.all(names.filter((name) => !kept.has(name) && !name.endsWith(ours)).map((name) => rm(join(this.options.dir, name), {force: true})));
  }

  /** Settles once every write and removal asked for so far has ended: the daemon waits for it before it exits. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending.values());
  }

  private async write(root: string, entryFiles: string[], discovery: Discovery): Promise<void> {
    try {
      const content: CacheFile = {format: CACHE_FORMAT, root, key: {...this.keyBase(entryFiles), hashes: discovery.hashes}, tasks: discovery.tasks, modules: [...discovery.modules]};
      await mkdir(this.options.dir, {recursive: true, mode: PRIVATE_DIR_MODE});
      const file = this.fileOf(root);
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, serialize(content), {mode: PRIVATE_FILE_MODE});
      await rename(temp, file);
    } catch (error) {
      this.options.onWarning(`could not store the discovery cache of ${root}: ${(error as Error).message}`);
    }
  }

  /** Runs `job` once the one before it for `root` has ended, so a removal never lands before a write it follows. */
  private after(root: string, job: () => Promise<void>): Promise<void> {
    const done = (this.pending.get(root) ?? Promise.resolve()).then(job);
    const settled = done.catch(() => undefined);
    this.pending.set(root, settled);
    void settled.then(() => {
      if (this.pending.get(root) === settled) this.pending.delete(root);
    });
    return done;
  }

  private keyBase(entryFiles: string[]): Omit<DiscoveryKey, 'hashes'> {
    return {capsule: this.options.capsuleVersion, node: process.version, entryFiles};
  }

  private fileOf(root: string): string {
    return join(this.options.dir, fileName(root));
  }
}

function fileName(root: string): string {
  return `${sha256(root).slice(0, 32)}.v8`;
}
