import {isAbsolute} from 'node:path';

/** What is wrong with an entry pattern, or null: it must name files inside the project (relative, without ".."). */
export function entryPatternProblem(pattern: string): string | null {
  if (pattern !== '' && !isAbsolute(pattern) && !pattern.split('/').includes('..')) return null;
  return `expected a path inside the project like "tasks/*.ts" (relative to capsule.toml, without ".."), got ${JSON.stringify(pattern)}`;
}
