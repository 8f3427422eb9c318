import type {ConfigIssue} from './issues.js';
import {formatKeyPath} from './issues.js';
import type {KeyPath, TomlKeyIndex} from './locator.js';

/**
 * How big a capsule.toml may be. Hand-written project settings are a few kilobytes; the caps
 * are far above that and low enough that parsing and validating the worst file they let
 * through takes milliseconds, not seconds, on the daemon's main thread.
 */
export const MAX_CONFIG_BYTES = 256 * 1024;
/** `services.api.health.http` is 4 deep; nothing Capsule reads is deeper than 8. */
export const MAX_KEY_DEPTH = 32;
/** Keys and array elements in the whole file. */
export const MAX_CONFIG_ENTRIES = 10_000;

/**
 * The first way `data` (a parsed document) is too deep or too large, or null. Checked before the
 * schema so that validation, error reports and every later walk over the config stay bounded.
 */
export function shapeIssue(data: unknown, file: string, index: TomlKeyIndex): ConfigIssue | null {
  let entries = 0;
  const at = (path: KeyPath, message: string): ConfigIssue => {
    const position = index.locate(path);
    return {file, line: position?.line ?? null, column: position?.column ?? null, path: formatKeyPath(path), message, suggestion: null};
  };
  // Recursion is safe: it stops at MAX_KEY_DEPTH.
  const walk = (value: unknown, path: (string | number)[]): ConfigIssue | null => {
    if (typeof value !== 'object' || value === null || value instanceof Date) return null;
    if (path.length >= MAX_KEY_DEPTH) return at(path, `keys nested more than ${MAX_KEY_DEPTH} deep: Capsule reads nothing this deep; flatten it or keep such data in another file`);
    const children: [string | number, unknown][] = Array.isArray(value) ? value.map((item, position) => [position, item]) : Object.entries(value);
    for (const [key, child] of children) {
      if (++entries > MAX_CONFIG_ENTRIES) return at([...path, key], `more than ${MAX_CONFIG_ENTRIES} keys and array items in the file: keep data in other files`);
      path.push(key);
      const issue = walk(child, path);
      path.pop();
      if (issue) return issue;
    }
    return null;
  };
  return walk(data, []);
}
