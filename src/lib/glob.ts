/**
 * The globs capsule.toml takes (`entry`, a service's `watch` and `watch_ignore`), over
 * "/"-separated paths relative to the directory they are written for: `*` and `?` stay within
 * a path segment, `**` spans any number of them, `{a,b}` is either. Nothing else is special.
 * Node's own `path.matchesGlob` is still experimental in Node 20 (it prints a warning).
 */

/** A segment holding one of these starts the part of a pattern that is not a fixed path. */
export const GLOB_CHARACTERS = /[*?{]/;

export function globToRegExp(pattern: string): RegExp {
  let source = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (pattern.startsWith('**/', i)) {
      source += '(?:[^/]*/)*';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '{') {
      braces++;
      source += '(?:';
    } else if (char === '}' && braces > 0) {
      braces--;
      source += ')';
    } else if (char === ',' && braces > 0) source += '|';
    else source += char.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
  }
  if (braces > 0) throw new SyntaxError(`a "{" in ${JSON.stringify(pattern)} is never closed`);
  return new RegExp(`^${source}$`);
}

/** "tasks/*.ts" → "tasks", "src/**\/x.ts" → "src", "main.ts" → "main.ts", "*.js" → ".". */
export function staticPrefix(glob: string): string {
  const fixed: string[] = [];
  for (const part of glob.split('/')) {
    if (GLOB_CHARACTERS.test(part)) break;
    fixed.push(part);
  }
  return fixed.length === 0 ? '.' : fixed.join('/');
}

/**
 * A test of relative paths against several patterns, where a pattern that matches a directory
 * also covers everything under it (as in .gitignore): `watch = ["src"]` means all of src, and
 * `watch_ignore = ["src/generated/**"]` ignores the directory itself too, so it is not even
 * looked into.
 */
export function pathMatcher(patterns: readonly string[]): (path: string) => boolean {
  const expressions = patterns.map(globToRegExp);
  return (path) => {
    for (let at = path.length; at > 0; at = path.lastIndexOf('/', at - 1)) {
      const candidate = path.slice(0, at);
      if (expressions.some((expression) => expression.test(candidate) || expression.test(`${candidate}/`))) return true;
    }
    return false;
  };
}

/**
 * Whether a directory (relative, "" for the base itself) may hold a path one of the patterns
 * matches: one outside every pattern's fixed prefix need not be looked into.
 */
export function mayHoldMatches(patterns: readonly string[], directory: string): boolean {
  if (directory === '') return true;
  return patterns.some((pattern) => {
    const prefix = staticPrefix(pattern);
    return prefix === '.' || directory === prefix || directory.startsWith(`${prefix}/`) || prefix.startsWith(`${directory}/`);
  });
}
