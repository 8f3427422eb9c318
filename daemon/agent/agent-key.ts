/**
 * The home's key (CAPSULE_HOME/agent.key, mode 0600): secret config values are sealed under it
 * in state.json (see core/secret-box.ts). Agent tokens do not derive from it: a process that
 * reads it cannot register as a service (see supervisor/agent-token.ts).
 */
import {randomBytes} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {PrivateDataFile} from '../core/private-file.js';

const KEY_PATTERN = /^[0-9a-f]{64}$/;

/** Reads the key, or makes a new one (readable by its owner only) when there is none or it is damaged. Only the daemon holding the home calls it. */
export async function loadAgentKey(file: string): Promise<Buffer> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text !== null && KEY_PATTERN.test(text.trim())) return Buffer.from(text.trim(), 'hex');
  const key = randomBytes(32);
  // Durably: state.json survives a power loss, and its secrets would be lost with a key that did not.
  await new PrivateDataFile<string>(file, {parse: (text) => text, stringify: (text) => text}).write(key.toString('hex'));
  return key;
}
