import {existsSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

let cached: string | undefined;

/**
 * The installed capsule package's root. Code runs from dist/*.js, dist/chunks/*.js or (in
 * tests) the sources, so walk up to the package.json named "capsule" instead of hard-coding
 * a relative path.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as {name?: string}).name === 'capsule') return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the capsule package above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** A built file in dist/, e.g. `distFile('daemon.js')`. */
export function distFile(name: string): string {
  return join(packageRoot(), 'dist', name);
}
