import {readdir, stat} from 'node:fs/promises';
import {join, relative, sep} from 'node:path';
import {entryPatternProblem} from '../../src/config/entry-pattern.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {GLOB_CHARACTERS, globToRegExp} from '../../src/lib/glob.js';

/** Most files an entry pattern may match: the bound on what one discovery walks and loads. */
export const MAX_ENTRY_FILES = 1_000;
/** Never looked into: dependencies and tool directories hold no entry modules. */
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

/** The absolute paths of the files under `root` matching any pattern, sorted. */
export async function expandEntries(root: string, patterns: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    checkPattern(pattern);
    const segments = pattern.split('/');
    const firstGlob = segments.findIndex((segment) => GLOB_CHARACTERS.test(segment));
    if (firstGlob === -1) {
      const path = join(root, pattern);
      if (await isFile(path)) found.add(path);
      continue;
    }
    const matcher = globToRegExp(pattern);
    await walk(root, join(root, ...segments.slice(0, firstGlob)), matcher, found, pattern);
  }
  return [...found].sort();
}

async function walk(root: string, dir: string, matcher: RegExp, found: Set<string>, pattern: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, {withFileTypes: true});
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.')) await walk(root, path, matcher, found, pattern);
      continue;
    }
    if (!matcher.test(relative(root, path).split(sep).join('/'))) continue;
    if (!entry.isFile() && !(await isFile(path))) continue;
    found.add(path);
    if (found.size > MAX_ENTRY_FILES) {
      throw new CapsuleError('config_invalid', `entry pattern "${pattern}" matches more than ${MAX_ENTRY_FILES} files`, {
        hint: 'narrow [project] entry to the modules that declare tasks, e.g. "tasks/*.ts"',
      });
    }
  }
}

/** capsule.toml's entry was checked as it loaded; a pattern from elsewhere is held to the same rule. */
function checkPattern(pattern: string): void {
  const problem = entryPatternProblem(pattern);
  if (problem !== null) throw new CapsuleError('config_invalid', `invalid entry pattern: ${problem}`, {hint: 'write entry patterns relative to the directory holding capsule.toml'});
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
