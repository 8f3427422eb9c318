import {realpathSync} from 'node:fs';
import path from 'node:path';
import type {SandboxMount} from './sandbox-policy.js';
import {refused, type Checked, type Rule} from './task-limits.js';

/**
 * `allowedFiles` (`[defaults] allowed_files`): paths of the project a sandboxed task may reach
 * besides the project itself. Each is canonicalised here, once, so that what the executor mounts
 * is exactly what was checked: a path that leaves the project, written so (`../x`, `/etc`) or
 * through a symlink anywhere on its way, is refused, never mounted.
 */

const FILE_EXPECTED = 'a path inside the project, alone or with ":ro" (read-only, the default) or ":rw", such as "data/:ro" or "out/:rw"';
/** A suffix that reads as a mode: "data:wr" is a misspelt mode, not a file named so. */
const MODE_SUFFIX = /:([A-Za-z]{1,3})$/;

/** The rule for a project at `root`; it reads the file system (realpath) each time it runs. */
export function allowedFilesRule(root: string): Rule<SandboxMount[]> {
  return (value) => {
    if (!Array.isArray(value)) return refused(`a list of paths, each ${FILE_EXPECTED}`, value);
    const mounts: SandboxMount[] = [];
    for (const [index, entry] of value.entries()) {
      const checked = fileEntry(root, entry);
      if (!checked.ok) return {...checked, key: index};
      if (mounts.some((mount) => mount.path === checked.value.path)) {
        return {ok: false, message: `expected each path once, got ${JSON.stringify(entry)}, which is ${checked.value.path} again`, suggestion: null, key: index};
      }
      mounts.push(checked.value);
    }
    return {ok: true, value: mounts};
  };
}

function fileEntry(root: string, entry: unknown): Checked<SandboxMount> {
  if (typeof entry !== 'string' || entry === '') return refused(FILE_EXPECTED, entry);
  let written = entry;
  let writable = false;
  const mode = MODE_SUFFIX.exec(entry);
  if (mode) {
    if (mode[1] !== 'ro' && mode[1] !== 'rw') return refused('":ro" or ":rw" after the path', entry, `${entry.slice(0, mode.index)}:${mode[1]!.toLowerCase().includes('w') ? 'rw' : 'ro'}`);
    written = entry.slice(0, mode.index);
    writable = mode[1] === 'rw';
    if (written === '') return refused(FILE_EXPECTED, entry);
  }
  const canonicalRoot = canonical(root) ?? path.resolve(root);
  const absolute = path.resolve(root, written);
  // An absolute path is inside if it is written under the project's directory as given or as it really is.
  if (!isInside(root, absolute) && !isInside(canonicalRoot, absolute)) return refused(`a path inside the project ${root}`, entry);
  let real: string;
  try {
    real = realpathSync.native(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return {ok: false, message: `expected an existing path, got ${JSON.stringify(entry)}: ${absolute} does not exist; create it, or remove the entry`, suggestion: null};
    }
    return {ok: false, message: `expected a readable path, got ${JSON.stringify(entry)}: ${absolute} cannot be resolved (${code ?? (error as Error).message})`, suggestion: null};
  }
  if (!isInside(canonicalRoot, real)) {
    return {ok: false, message: `expected a path that stays in the project ${root}, got ${JSON.stringify(entry)}, which a symlink leads to ${real}`, suggestion: null};
  }
  // Under the project's directory as the daemon names it, which is where the sandbox mounts the project: the same file as `real`, reached without leaving the project.
  return {ok: true, value: {path: path.join(path.resolve(root), path.relative(canonicalRoot, real)), writable}};
}

function canonical(file: string): string | null {
  try {
    return realpathSync.native(file);
  } catch {
    return null;
  }
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}
