import {createCipheriv, createDecipheriv, hkdfSync, randomBytes} from 'node:crypto';
import type {ConfigValue} from '../../src/config/services.js';

/** A secret config value as state.json keeps it. */
export interface SealedValue {
  sealed: string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals secret config values for state.json with AES-256-GCM, so a copied, backed-up or
 * pasted state file does not carry them in plain text. The key is derived from the home's
 * agent.key (0600): whoever can read that file can read the secrets, as whoever runs as the
 * daemon's user can anyway. It protects the file, not the machine.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(homeKey: Buffer) {
    this.#key = Buffer.from(hkdfSync('sha256', homeKey, Buffer.alloc(0), 'capsule: secret config values at rest', 32));
  }

  seal(value: ConfigValue): SealedValue {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return {sealed: `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`};
  }

  /** The value, or undefined when it was sealed under another key (agent.key was replaced) or is damaged. */
  open({sealed}: SealedValue): ConfigValue | undefined {
    if (!sealed.startsWith(`${VERSION}.`)) return undefined;
    const bytes = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as ConfigValue;
    } catch {
      return undefined;
    }
  }
}

export function isSealed(value: unknown): value is SealedValue {
  return typeof value === 'object' && value !== null && typeof (value as SealedValue).sealed === 'string';
}
