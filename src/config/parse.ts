import path from 'node:path';
import {parse, TomlError} from 'smol-toml';
import type {z} from 'zod';
import {shapeIssue} from './bounds.js';
import {configInvalid, sortIssues, type ConfigIssue} from './issues.js';
import {TomlKeyIndex} from './locator.js';
import {configSchema, type ProjectConfig} from './schema.js';
import {validateDocument} from './zod-issues.js';

/**
 * Parses and validates a capsule.toml. Reports every issue in the file at once, each with its
 * place; throws CapsuleError('config_invalid') whose details are `{file, issues}`.
 */
export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const root = path.dirname(file);
  const {value, index} = parseLocated(text, file, configSchema(root));
  return {file, root, ...value, nameAt: index.locate(['project', 'name'])};
}

/** The parse behind parseProjectConfig, for any schema of the whole file. */
export function parseConfigText<T>(text: string, file: string, schema: z.ZodType<T>): T {
  return parseLocated(text, file, schema).value;
}

function parseLocated<T>(text: string, file: string, schema: z.ZodType<T>): {value: T; index: TomlKeyIndex} {
  // Editors hide a byte-order mark; dropping it keeps columns on line 1 as the user sees them.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let data: unknown;
  try {
    data = parse(source);
  } catch (error) {
    if (error instanceof TomlError) throw configInvalid(file, [syntaxIssue(file, error)]);
    throw error;
  }
  const index = new TomlKeyIndex(source);
  const tooLarge = shapeIssue(data, file, index);
  if (tooLarge) throw configInvalid(file, [tooLarge]);
  const result = validateDocument(schema, data, file, index);
  if (!result.ok) throw configInvalid(file, sortIssues(result.issues));
  return {value: result.value, index};
}

function syntaxIssue(file: string, error: TomlError): ConfigIssue {
  // smol-toml's message is "Invalid TOML document: <reason>" followed by a code excerpt.
  const reason = error.message.split('\n', 1)[0]!.replace(/^Invalid TOML document: /, '');
  return {file, line: error.line, column: error.column, path: '', message: `invalid TOML: ${reason}`, suggestion: null};
}
