/** Typed config values of a service: validation against the declaration, defaults, and masking of secrets. */
import {matchesConfigType, type ConfigKeyDeclaration, type ConfigValue} from '../../src/config/services.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {didYouMean} from '../../src/lib/suggest.js';
import {SECRET_MASK} from '../../src/protocol/vocabulary.js';
import type {ConfigEntry} from './types.js';

export {SECRET_MASK};

export type Declarations = Record<string, ConfigKeyDeclaration>;

export function declarationOf(target: string, declarations: Declarations, key: string): ConfigKeyDeclaration {
  const declaration = declarations[key];
  if (declaration) return declaration;
  const keys = Object.keys(declarations);
  const suggestion = didYouMean(key, keys);
  throw new CapsuleError('not_found', `${target} declares no config key "${key}"`, {
    hint: suggestion ? `did you mean "${suggestion}"?` : keys.length > 0 ? `declared keys: ${keys.join(', ')}` : `declare it under [services.${target.split('/')[1]}.config]`,
  });
}

/**
 * Turns a value given on the command line (always a string) or over the protocol into the
 * declared type, or says what was expected.
 */
export function coerceConfigValue(target: string, key: string, declaration: ConfigKeyDeclaration, input: ConfigValue): ConfigValue {
  const value = typeof input === 'string' && declaration.type !== 'string' ? fromText(declaration, input.trim()) : input;
  if (value !== undefined && matchesConfigType(declaration.type, value)) return value;
  const shown = declaration.secret ? 'a value that is not one' : JSON.stringify(input);
  throw new CapsuleError('bad_input', `config ${key} of ${target} must be ${article(declaration.type)}, got ${shown}`, {
    hint: declaration.type === 'boolean' ? 'write true or false' : declaration.type === 'integer' ? 'write a whole number such as 8080' : undefined,
  });
}

function fromText(declaration: ConfigKeyDeclaration, text: string): ConfigValue | undefined {
  if (declaration.type === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : undefined;
}

function article(type: ConfigKeyDeclaration['type']): string {
  return type === 'integer' ? 'an integer' : `a ${type}`;
}

/** The values a service runs with: stored ones that still fit their declaration, else defaults. */
export function effectiveValues(declarations: Declarations, stored: Record<string, ConfigValue>): Record<string, ConfigValue> {
  const values: Record<string, ConfigValue> = {};
  for (const [key, declaration] of Object.entries(declarations)) {
    const value = storedValue(declaration, stored[key]) ?? declaration.default;
    if (value !== null) values[key] = value;
  }
  return values;
}

function storedValue(declaration: ConfigKeyDeclaration, value: ConfigValue | undefined): ConfigValue | null {
  return value !== undefined && matchesConfigType(declaration.type, value) ? value : null;
}

export function mask(declaration: ConfigKeyDeclaration, value: ConfigValue | null): ConfigValue | null {
  return declaration.secret && value !== null ? SECRET_MASK : value;
}

export function configEntry(key: string, declaration: ConfigKeyDeclaration, stored: Record<string, ConfigValue>): ConfigEntry {
  const set = storedValue(declaration, stored[key]);
  const value = set ?? declaration.default;
  return {
    key,
    type: declaration.type,
    value: mask(declaration, value),
    default: mask(declaration, declaration.default),
    overridden: set !== null,
    description: declaration.description,
    secret: declaration.secret,
  };
}

/** How each value reaches a service without the agent: `CAPSULE_CONFIG_<KEY>` in its environment. */
export function configEnvironment(values: Record<string, ConfigValue>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`CAPSULE_CONFIG_${key.toUpperCase()}`, String(value)]));
}

/** Secrets shorter than this are not scrubbed from output: masking "1" would mangle every line. */
export const MIN_SCRUBBED_SECRET_LENGTH = 4;

/**
 * What to scrub from a service's logs and action output: each secret value as it is and as the
 * common encodings write it (JSON string escapes, URL encoding, hex, base64 and base64url at
 * any alignment, so a token inside `Authorization: Basic …` is caught too). Longest first, so a
 * form that contains another is masked whole.
 */
export function secretValues(declarations: Declarations, values: Record<string, ConfigValue>): string[] {
  const forms = Object.entries(values)
    .filter(([key]) => declarations[key]?.secret)
    .map(([, value]) => String(value))
    .filter((value) => value.length >= MIN_SCRUBBED_SECRET_LENGTH)
    .flatMap(encodedForms);
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

function encodedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), bytes.toString('hex'), ...base64Cores(bytes, 'base64'), ...base64Cores(bytes, 'base64url')].filter(
    (form) => form.length >= MIN_SCRUBBED_SECRET_LENGTH,
  );
}

/**
 * In a base64 stream, the characters that only the secret's own bits decide, for each of the
 * three offsets (mod 3) it may start at: a character straddling a neighbouring byte differs with
 * that byte, so up to one character at each end stays visible.
 */
function base64Cores(bytes: Buffer, encoding: 'base64' | 'base64url'): string[] {
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(encoding);
    return encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
  });
}

export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(SECRET_MASK);
  return result;
}

/** `value` (JSON-like) with every string scrubbed of the secrets. */
export function scrubValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return scrub(value, secrets);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, secrets));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValue(item, secrets)]));
  return value;
}
