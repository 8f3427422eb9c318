/**
 * The files a service's `watch` names: a chokidar watcher on its cwd (one inotify watch per
 * directory looked into), whose changes go to a WatchTrigger. Only directories that can hold a
 * match are looked into; `node_modules`, `.git`, `watch_ignore`, the daemon's home and the
 * project's capsule.toml never are (the project watcher reloads the project for the last).
 */
import {watch, type FSWatcher} from 'chokidar';
import {join, relative, sep} from 'node:path';
import type {WatchConfig} from '../../src/config/services.js';
import {mayHoldMatches, pathMatcher} from '../../src/lib/glob.js';
import type {Clock} from '../core/clock.js';
import {WatchTrigger, type WatchBurst} from './watch-trigger.js';

/** Directories below the cwd looked into at most. */
const WATCH_DEPTH = 16;
const NEVER_WATCHED_DIRECTORIES = new Set(['node_modules', '.git']);
/** Additions, changes and removals of files; a directory appearing alone restarts nothing. */
const FILE_EVENTS = new Set(['add', 'change', 'unlink']);

export interface WatchTarget {
  watch: WatchConfig | null;
  /** Absolute: the globs are relative to it. */
  cwd: string;
  /** The project's directory, whose capsule.toml is not the service's to watch. */
  root: string;
}

export class ServiceWatcher {
  private current: {key: string; watcher: FSWatcher; trigger: WatchTrigger} | null = null;

  /**
   * @param unwatched directories never watched, whatever a `watch` says: the daemon's home, whose
   *   state and logs change at every restart (a service watching them would restart forever).
   * @param restart must not reject.
   */
  constructor(
    private readonly clock: Clock,
    private readonly unwatched: readonly string[],
    private readonly restart: (burst: WatchBurst) => Promise<void>,
    private readonly note: (text: string) => void,
  ) {}

  /** Watches what `target` says. The same watch keeps its watcher: a new one needs a moment before it sees changes. */
  sync(target: WatchTarget): void {
    const key = target.watch === null ? null : JSON.stringify(target);
    if (key === (this.current?.key ?? null)) return;
    void this.close();
    if (key !== null) this.current = {key, ...this.open(target.watch!, target.cwd, target.root)};
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = null;
    if (current === null) return;
    current.trigger.close();
    await current.watcher.close();
  }

  private open({paths, ignore}: WatchConfig, cwd: string, root: string): {watcher: FSWatcher; trigger: WatchTrigger} {
    const matches = pathMatcher(paths);
    const ignored = pathMatcher(ignore);
    const manifest = join(root, 'capsule.toml');
    const relativePath = (path: string) => relative(cwd, path).split(sep).join('/');
    const trigger = new WatchTrigger(this.clock, this.restart);
    const watcher = watch(cwd, {
      ignoreInitial: true,
      followSymlinks: false,
      depth: WATCH_DEPTH,
      ignored: (path) => {
        if (path === cwd) return false;
        if (path === manifest || this.unwatched.some((dir) => path === dir || path.startsWith(`${dir}${sep}`))) return true;
        const rel = relativePath(path);
        if (rel.startsWith('../') || rel.split('/').some((segment) => NEVER_WATCHED_DIRECTORIES.has(segment))) return true;
        return ignored(rel) || !mayHoldMatches(paths, rel);
      },
    });
    let reportedError = false;
    watcher.on('all', (event, path) => {
      const rel = relativePath(path);
      if (FILE_EVENTS.has(event) && matches(rel)) trigger.changed(rel);
    });
    watcher.on('ready', () => this.note(`watching ${paths.join(', ')}${ignore.length > 0 ? ` (ignoring ${ignore.join(', ')})` : ''} in ${cwd}: a change restarts the service`));
    watcher.on('error', (error) => {
      // Once per watcher: a full inotify table would otherwise fill the log.
      if (!reportedError) this.note(`watching for changes failed, some changes may be missed: ${(error as Error).message}`);
      reportedError = true;
    });
    return {watcher, trigger};
  }
}
