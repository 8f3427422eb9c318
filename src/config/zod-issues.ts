import type {z} from 'zod';
import {didYouMean} from '../lib/suggest.js';
import {describeType, describeValue} from './describe.js';
import {formatKeyPath, type ConfigIssue} from './issues.js';
import type {KeyPath, TomlKeyIndex, TomlPosition} from './locator.js';
import {configMessage, missingKeyMessage} from './zod-messages.js';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

const DOCUMENT_START: TomlPosition = {line: 1, column: 1};

type Validation<T> = {ok: true; value: T} | {ok: false; issues: ConfigIssue[]};

/** Runs `schema` over a parsed TOML document and turns every zod issue into located ConfigIssues. */
export function validateDocument<T>(schema: z.ZodType<T>, data: unknown, file: string, index: TomlKeyIndex): Validation<T> {
  // An unknown-key issue does not carry the keys its table allows; note them while zod still has the table's schema.
  const allowedKeys = new Map<string, string[]>();
  const result = schema.safeParse(data, {
    reportInput: true,
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') allowedKeys.set(JSON.stringify(issue.path ?? []), shapeKeys(issue));
      return configMessage(issue);
    },
  });
  if (result.success) return {ok: true, value: result.data};
  const converter = new IssueConverter(file, index, data, allowedKeys, result.error.issues);
  return {ok: false, issues: mergeMisspelledRequired(result.error.issues.flatMap((issue) => converter.convert(issue, [])))};
}

/**
 * In a strict table a misspelled required key yields two issues: the key is missing, and
 * an unknown key suggests it. Say it once, where the misspelling was written.
 */
function mergeMisspelledRequired(issues: ConfigIssue[]): ConfigIssue[] {
  const merged = new Set<ConfigIssue>();
  const result = issues.map((issue) => {
    if (!issue.message.startsWith('missing required key')) return issue;
    const dot = issue.path.lastIndexOf('.');
    const table = issue.path.slice(0, dot);
    const key = issue.path.slice(dot + 1);
    const unknown = issues.find((other) => !merged.has(other) && other.suggestion === key && other.message.startsWith('unknown key') && other.path.slice(0, other.path.lastIndexOf('.')) === table);
    if (!unknown) return issue;
    merged.add(unknown);
    return {...unknown, path: issue.path, message: `${issue.message}, found ${JSON.stringify(unknown.path.slice(unknown.path.lastIndexOf('.') + 1))}`, suggestion: key};
  });
  return result.filter((issue) => !merged.has(issue));
}

class IssueConverter {
  /** Keys reported as unknown, by the JSON of their path: they already carry their own suggestion. */
  readonly #unknownKeys: Set<string>;

  constructor(
    private readonly file: string,
    private readonly index: TomlKeyIndex,
    private readonly data: unknown,
    private readonly allowedKeys: Map<string, string[]>,
    issues: Issue[],
  ) {
    this.#unknownKeys = new Set(issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => JSON.stringify([...issue.path, key])) : [])));
  }

  convert(issue: Issue, base: KeyPath): ConfigIssue[] {
    const path = [...base, ...(issue.path as KeyPath)];
    switch (issue.code) {
      case 'invalid_type':
        return [issue.input === undefined ? this.#missingKey(path, issue.message) : this.#at(path, issue.message, null)];
      case 'unrecognized_keys':
        return issue.keys.map((key) => this.#unknownKey(path, key, issue.input?.[key]));
      case 'invalid_key':
        return issue.issues.flatMap((inner) => this.convert({...inner, path: []}, path));
      case 'invalid_union':
        return this.#union(issue, path);
      case 'invalid_value':
        return [this.#at(path, issue.message, typeof issue.input === 'string' ? didYouMean(issue.input, issue.values.map(String)) : null)];
      case 'custom':
        return [this.#at(path, issue.message, issue.params?.suggestion as string | null | undefined)];
      default:
        return [this.#at(path, issue.message, null)];
    }
  }

  #unknownKey(table: KeyPath, key: string, value: unknown): ConfigIssue {
    const allowed = this.allowedKeys.get(JSON.stringify(table)) ?? [];
    const suggestion = didYouMean(key, allowed);
    const what = isTable(value) ? 'table' : 'key';
    const message = suggestion === undefined && allowed.length > 0 ? `unknown ${what}; expected one of ${allowed.join(', ')}` : `unknown ${what}`;
    return this.#at([...table, key], message, suggestion);
  }

  /** A missing required key whose sibling looks like its misspelling is placed at that sibling. */
  #missingKey(path: KeyPath, message: string): ConfigIssue {
    const table = path.slice(0, -1);
    const wanted = String(path.at(-1));
    const misspelling = Object.keys(tableAt(this.data, table)).find(
      (key) => !this.#unknownKeys.has(JSON.stringify([...table, key])) && didYouMean(key, [wanted]) !== undefined,
    );
    // A key whose table is not written either (a missing [project]) belongs at the top of the file.
    if (misspelling === undefined) return this.#at(path, message, null, DOCUMENT_START);
    return {...this.#at([...table, misspelling], `${message}, found ${JSON.stringify(misspelling)}`, wanted), path: formatKeyPath(path)};
  }

  #union(issue: Extract<Issue, {code: 'invalid_union'}>, path: KeyPath): ConfigIssue[] {
    // A branch that got past the type check is the one the user meant: report its issues.
    const meant = issue.errors.find((branch) => branch.some((inner) => inner.code !== 'invalid_type' || inner.path.length > 0));
    if (meant) return meant.flatMap((inner) => this.convert(inner, path));
    const expected = [...new Set(issue.errors.flat().flatMap((inner) => (inner.code === 'invalid_type' ? [describeType(inner.expected)] : [])))];
    if (expected.length === 0) return [this.#at(path, issue.message, null)];
    if (issue.input === undefined) return [this.#missingKey(path, missingKeyMessage(expected))];
    return [this.#at(path, `expected ${expected.join(' or ')}, got ${describeValue(issue.input)}`, null)];
  }

  #at(path: KeyPath, message: string, suggestion: string | null | undefined, unwritten: TomlPosition | null = null): ConfigIssue {
    const position = this.index.locate(path) ?? unwritten;
    return {file: this.file, line: position?.line ?? null, column: position?.column ?? null, path: formatKeyPath(path), message, suggestion: suggestion ?? null};
  }
}

function shapeKeys(issue: RawIssue): string[] {
  const shape = (issue.inst?._zod.def as {shape?: object} | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** The table at `path` in the parsed document, or an empty one when there is none. */
function tableAt(data: unknown, path: KeyPath): Record<string, unknown> {
  let value = data;
  for (const key of path) value = isTable(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[key] : undefined;
  return isTable(value) ? (value as Record<string, unknown>) : {};
}

function isTable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
