import {watch, type FSWatcher} from 'chokidar';
import {join} from 'node:path';

/** Edits arriving within this window (an editor's save, a `git checkout`) cause one reload. */
const RELOAD_DEBOUNCE_MS = 250;

/**
 * Watches each project's capsule.toml and the folders its entry globs point into, and
 * reloads the project after a change settles.
 */
export class ProjectWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly reload: (root: string) => Promise<void>) {}

  watch(root: string, entryGlobs: string[]): void {
    this.unwatch(root);
    const paths = [join(root, 'capsule.toml'), ...new Set(entryGlobs.map((glob) => join(root, staticPrefix(glob))))];
    const watcher = watch(paths, {
      ignoreInitial: true,
      ignored: (path) => path.includes('/node_modules/') || path.includes('/.git/'),
      depth: 8,
    });
    watcher.on('all', () => this.schedule(root));
    watcher.on('error', () => undefined);
    this.watchers.set(root, watcher);
  }

  unwatch(root: string): void {
    void this.watchers.get(root)?.close();
    this.watchers.delete(root);
    clearTimeout(this.timers.get(root));
    this.timers.delete(root);
  }

  async close(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.watchers.values()].map((watcher) => watcher.close()));
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

/** "tasks/*.ts" → "tasks", "src/**\/x.ts" → "src", "main.ts" → "main.ts". */
export function staticPrefix(glob: string): string {
  const parts = glob.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (/[*?[{]/.test(part)) break;
    fixed.push(part);
  }
  return fixed.length === 0 ? '.' : fixed.join('/');
}
