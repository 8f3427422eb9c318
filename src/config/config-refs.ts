/**
 * `{config.KEY}` in a service's command, cwd, env values and health probe: the key's current
 * value, filled in at each start (and each probe). Only `{config.` opens a reference, so other
 * braces (a shell's `${HOME}`, JSON) stay as written; `{{config.KEY}}` writes `{config.KEY}` itself.
 */
import {didYouMean} from '../lib/suggest.js';
import type {ConfigValue} from '../protocol/index.js';
import type {ConfigKeyDeclaration, ServiceConfig} from './services.js';

const REFERENCE = /\{\{config\.([^{}]*)\}\}|\{config\.([^{}]*)\}/g;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ReferenceProblem {
  message: string;
  suggestion?: string;
}

/** The keys `text` refers to (escaped ones left out), in order, repeats kept. */
export function referencedKeys(text: string): string[] {
  return [...text.matchAll(REFERENCE)].flatMap((match) => (match[2] === undefined ? [] : [match[2]]));
}

/**
 * What is wrong with the references of one field: a malformed or undeclared key, or (`visible`:
 * a command line or a probe, which `ps`, `capsule services` and the audit trail show) a secret.
 */
export function referenceProblems(text: string, declarations: Record<string, ConfigKeyDeclaration>, visible: boolean): ReferenceProblem[] {
  return referencedKeys(text).flatMap((key): ReferenceProblem[] => {
    if (!KEY.test(key)) return [{message: `{config.${key}} is not a config reference: a key is letters, digits and _ (write {{config.${key}}} for the text itself)`}];
    const declaration = declarations[key];
    if (declaration === undefined) {
      const declared = Object.keys(declarations);
      const suggestion = didYouMean(key, declared);
      const message = `{config.${key}} refers to an undeclared config key`;
      if (suggestion !== undefined) return [{message, suggestion: `{config.${suggestion}}`}];
      const hint = declared.length === 0 ? `declare it, such as config.${key} = { type = "string" }` : `the declared ones: ${declared.join(', ')}`;
      return [{message: `${message}; ${hint}`}];
    }
    if (visible && declaration.secret) {
      return [{message: `{config.${key}} is a secret, and a command line or probe is visible to anyone on the machine (ps): pass it in env instead, such as env = { TOKEN = "{config.${key}}" }`}];
    }
    return [];
  });
}

/**
 * `text` with each reference replaced by its value. A key without a value (no default, never
 * set) stays written as a reference: the supervisor refuses to start with one (see
 * missingReferences), and what shows the command shows what is missing.
 */
export function substituteConfig(text: string, values: Record<string, ConfigValue>): string {
  if (!text.includes('config.')) return text;
  return text.replace(REFERENCE, (whole, escaped: string | undefined, key: string | undefined) => {
    if (key === undefined) return `{config.${escaped}}`;
    const value = values[key];
    return value === undefined ? whole : String(value);
  });
}

/** The texts of a service that may hold references: its command, cwd, env values and probe. */
export function referencingTexts(config: Pick<ServiceConfig, 'command' | 'cwd' | 'env' | 'health'>): string[] {
  const probe = config.health?.probe;
  return [
    ...(typeof config.command === 'string' ? [config.command] : config.command),
    ...(config.cwd === null ? [] : [config.cwd]),
    ...Object.values(config.env),
    ...(probe?.kind === 'http' ? [probe.url] : probe?.kind === 'exec' ? probe.argv : []),
  ];
}

/** The keys a service refers to anywhere. */
export function referencedConfigKeys(config: Pick<ServiceConfig, 'command' | 'cwd' | 'env' | 'health'>): Set<string> {
  return new Set(referencingTexts(config).flatMap(referencedKeys));
}

/** Referenced keys that have no value now: a start would run with the reference unfilled. */
export function missingReferences(config: Pick<ServiceConfig, 'command' | 'cwd' | 'env' | 'health'>, values: Record<string, ConfigValue>): string[] {
  return [...referencedConfigKeys(config)].filter((key) => values[key] === undefined);
}

/** The service's fields with every reference filled in from `values`. */
export function resolveReferences<T extends Pick<ServiceConfig, 'command' | 'cwd' | 'env' | 'health'>>(config: T, values: Record<string, ConfigValue>): T {
  const fill = (text: string) => substituteConfig(text, values);
  const {health} = config;
  const probe = health?.probe;
  return {
    ...config,
    command: typeof config.command === 'string' ? fill(config.command) : config.command.map(fill),
    cwd: config.cwd === null ? null : fill(config.cwd),
    env: Object.fromEntries(Object.entries(config.env).map(([key, value]) => [key, fill(value)])),
    health:
      health === null || probe === undefined
        ? health
        : {...health, probe: probe.kind === 'http' ? {...probe, url: fill(probe.url)} : probe.kind === 'exec' ? {...probe, argv: probe.argv.map(fill)} : probe},
  };
}
