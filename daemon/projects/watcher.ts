import {watch, type FSWatcher} from 'chokidar';
import {join} from 'node:path';
import {staticPrefix} from '../../src/lib/glob.js';

/** Edits arriving within this window (an editor's save, a `git checkout`) cause one reload. */
const RELOAD_DEBOUNCE_MS = 250;

/**
 * Watches each project's capsule.toml and the folders its entry globs point into, and
 * reloads the project after a change settles.
 */
export class ProjectWatcher {
  private readonly watchers = new Map<string, {paths: string; watcher: FSWatcher}>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly reload: (root: string) => Promise<void>) {}

  /**
   * Watches exactly these projects. A project whose paths did not change keeps its watcher:
   * a new one needs a moment before it sees changes, and a save in that moment would be missed.
   */
  sync(projects: {root: string; entry: string[]}[]): void {
    const wanted = new Map(projects.map(({root, entry}) => [root, [join(root, 'capsule.toml'), ...new Set(entry.map((glob) => join(root, staticPrefix(glob))))]]));
    for (const root of this.watchers.keys()) if (!wanted.has(root)) this.unwatch(root);
    for (const [root, paths] of wanted) {
      const key = JSON.stringify(paths);
      if (this.watchers.get(root)?.paths === key) continue;
      this.unwatch(root);
      const watcher = watch(paths, {
        ignoreInitial: true,
        ignored: (path) => path.includes('/node_modules/') || path.includes('/.git/'),
        depth: 8,
      });
      watcher.on('all', () => this.schedule(root));
      watcher.on('error', () => undefined);
      this.watchers.set(root, {paths: key, watcher});
    }
  }

  private unwatch(root: string): void {
    void this.watchers.get(root)?.watcher.close();
    this.watchers.delete(root);
    clearTimeout(this.timers.get(root));
    this.timers.delete(root);
  }

  async close(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.watchers.values()].map(({watcher}) => watcher.close()));
    this.watchers.clear();
  }

  private schedule(root: string): void {
    clearTimeout(this.timers.get(root));
    this.timers.set(
      root,
      setTimeout(() => {
        this.timers.delete(root);
        void this.reload(root);
      }, RELOAD_DEBOUNCE_MS),
    );
  }
}
