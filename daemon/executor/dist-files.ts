import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {CapsuleError} from '../../src/lib/errors.js';

/**
 * The built worker entry points live in the package's dist/. This module runs from
 * daemon/executor/ under the tests and from dist/ (or a dist/chunks/ file) once bundled, so
 * the package root is found by walking up to capsule's package.json.
 */
export function packageDistDir(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (isCapsulePackage(join(dir, 'package.json'))) return join(dir, 'dist');
    const parent = dirname(dir);
    if (parent === dir) {
      throw new CapsuleError('internal', `cannot find capsule's package.json above ${fileURLToPath(from)}`, {hint: 'reinstall capsule; its dist/ directory holds the task worker'});
    }
    dir = parent;
  }
}

function isCapsulePackage(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as {name?: unknown}).name === 'capsule';
  } catch {
    return false;
  }
}
