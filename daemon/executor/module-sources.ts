import {readFile} from 'node:fs/promises';
import {extname} from 'node:path';
import {fileURLToPath} from 'node:url';
import type {ModuleSource} from '../worker/protocol.js';
import {typescriptLoader} from '../worker/typescript.js';
import {sha256} from './content-hash.js';
import {isTransformFailure, transformErrorText} from './esbuild-errors.js';

/** What a discovery loaded, by module URL: the definition a project runs once it is kept. */
export type ModuleSnapshot = Map<string, ModuleSource>;

/** A module as a discovery was served it, with the sha256 of the bytes it came from (null: they could not be read). */
export interface HashedModule {
  module: ModuleSource | null;
  sha256: string | null;
}

type Esbuild = typeof import('esbuild');

/**
 * The source of every user module a worker loads, read and compiled in the daemon's main thread.
 *
 * Compiling here, with one esbuild service for the daemon's life, is what keeps esbuild's child
 * process reaped: a service started on a worker's hooks thread outlives the thread, and a child
 * whose thread (and libuv loop) is gone is never waited for, so every discovery and every
 * recycled worker used to leave an `[esbuild] <defunct>` behind until the daemon exited.
 *
 * Serving the sources from here is also what makes a project's last good definition the one that
 * runs: a reload whose modules fail to load keeps the snapshot of the last discovery that
 * succeeded, and workers started afterwards load that snapshot, not the broken files on disk.
 */
export class ModuleSources {
  private readonly kept = new Map<string, ModuleSnapshot>();
  private esbuild: Promise<Esbuild> | null = null;

  /**
   * The source of `url` as it is on disk now: TypeScript compiled (with an inline source map, so
   * stack traces point at the user's lines), an ES module as written; null for any other format,
   * which the worker loads itself. `format` is what Node resolved for the file.
   */
  async read(url: string, format: string | null): Promise<ModuleSource | null> {
    const path = fileURLToPath(url);
    if (!servedFromHere(path, format)) return null;
    return this.sourceOf(path, await readFile(path));
  }

  /**
   * `read`, with the hash of the very bytes the source was made from: what the discovery cache
   * keys on, so a file saved again after this read is a miss next time, never a stale hit. A file
   * the worker loads itself (null) is hashed as it is now, before the worker reads it, so an edit
   * in between is a miss too.
   */
  async readHashed(url: string, format: string | null): Promise<HashedModule> {
    const path = fileURLToPath(url);
    if (!servedFromHere(path, format)) {
      // Unreadable: the worker's own load fails and says why, as it would without the cache.
      const bytes = await readFile(path).catch(() => null);
      return {module: null, sha256: bytes === null ? null : sha256(bytes)};
    }
    const bytes = await readFile(path);
    return {module: await this.sourceOf(path, bytes), sha256: sha256(bytes)};
  }

  /** What a run of a `namespace` task loads for `url`: the kept snapshot's source, else the file as it is now. */
  async serve(namespace: string, url: string, format: string | null): Promise<ModuleSource | null> {
    return this.kept.get(namespace)?.get(url) ?? this.read(url, format);
  }

  /** The namespace's runs load `snapshot` from now on; `merge` adds it to what was kept (ad-hoc files, one at a time). */
  keep(namespace: string, snapshot: ModuleSnapshot, {merge = false} = {}): void {
    const kept = merge ? this.kept.get(namespace) : undefined;
    if (kept === undefined) this.kept.set(namespace, new Map(snapshot));
    else for (const [url, source] of snapshot) kept.set(url, source);
  }

  forget(namespace: string): void {
    this.kept.delete(namespace);
  }

  /** esbuild's `transform` on the daemon's one service: what code sessions compile their snippets with. */
  readonly transformer: Pick<Esbuild, 'transform'> = {
    transform: (async (input: string, options?: object) => (await this.service()).transform(input, options)) as Esbuild['transform'],
  };

  async close(): Promise<void> {
    this.kept.clear();
    const esbuild = this.esbuild;
    this.esbuild = null;
    if (esbuild !== null) await (await esbuild).stop();
  }

  private async sourceOf(path: string, bytes: Buffer): Promise<ModuleSource> {
    const loader = typescriptLoader(extname(path));
    const source = bytes.toString('utf8');
    return {format: 'module', source: loader === undefined ? source : await this.compile(path, source, loader)};
  }

  /** Loaded on first use: a daemon whose projects are all JavaScript never starts esbuild. */
  private service(): Promise<Esbuild> {
    return (this.esbuild ??= import('esbuild'));
  }

  private async compile(path: string, source: string, loader: 'ts' | 'tsx'): Promise<string> {
    const esbuild = await this.service();
    const options = {loader, format: 'esm', target: 'node20', sourcemap: 'inline', sourcefile: path} as const;
    try {
      return (await esbuild.transform(source, options)).code;
    } catch (error) {
      if (isTransformFailure(error)) throw new SyntaxError(transformErrorText(error.errors));
      // The service's process died (killed from outside): esbuild keeps refusing until it is restarted.
      await esbuild.stop();
      return (await esbuild.transform(source, options)).code;
    }
  }
}

/** TypeScript is compiled here, an ES module sent as written; any other format the worker loads itself. */
function servedFromHere(path: string, format: string | null): boolean {
  return typescriptLoader(extname(path)) !== undefined || format === 'module';
}

