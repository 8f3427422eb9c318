import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';

/** The content hash the discovery cache keys on: sha256, hex. */
export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The hash of a file as it is on disk now; null if it cannot be read. */
export async function hashFile(path: string): Promise<string | null> {
  try {
    return sha256(await readFile(path));
  } catch {
    return null;
  }
}
