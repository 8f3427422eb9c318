/**
 * Agent tokens: an HMAC of the service's "namespace/name" under a key kept in CAPSULE_HOME.
 * A process holding its service's token was started by this daemon, or by an earlier daemon of
 * the same home (which matters for a process re-adopted after a daemon restart).
 */
import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto';
import {readFile, writeFile} from 'node:fs/promises';
import {PRIVATE_FILE_MODE} from '../core/private-file.js';

const KEY_PATTERN = /^[0-9a-f]{64}$/;

/** Reads the key, or makes a new one (readable by its owner only) when there is none or it is damaged. Only the daemon holding the home calls it. */
export async function loadAgentKey(file: string): Promise<Buffer> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text !== null && KEY_PATTERN.test(text.trim())) return Buffer.from(text.trim(), 'hex');
  const key = randomBytes(32);
  await writeFile(file, key.toString('hex'), {mode: PRIVATE_FILE_MODE});
  return key;
}

export function agentToken(key: Buffer, target: string): string {
  return createHmac('sha256', key).update(target).digest('hex');
}

export function tokenMatches(key: Buffer, target: string, token: string): boolean {
  const expected = Buffer.from(agentToken(key, target));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
