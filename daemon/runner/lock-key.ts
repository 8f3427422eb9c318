import {CapsuleError} from '../../src/lib/errors.js';

/** `{id}` or `{user.id}`: a dotted path into the run's input. */
const FIELD_PATH = /^[\w$-]+(\.[\w$-]+)*$/;
const PART = /\{([^{}]*)\}|([^{}]+)|([{}])/g;

type TemplatePart = {field: string} | {text: string};

/**
 * Parses a lock template such as "report:{id}" or "user:{user.id}": literal text with
 * `{field}` placeholders naming (dotted) fields of the input. A template without placeholders
 * is a single key shared by every run. Throws when the template is malformed.
 */
export function parseLockTemplate(template: string): TemplatePart[] {
  if (template.trim() === '') throw badTemplate(template, 'it is empty');
  const parts: TemplatePart[] = [];
  for (const match of template.matchAll(PART)) {
    if (match[3] !== undefined) throw badTemplate(template, `it has an unmatched "${match[3]}"`);
    if (match[2] !== undefined) {
      parts.push({text: match[2]});
      continue;
    }
    const field = match[1]!.trim();
    if (!FIELD_PATH.test(field)) throw badTemplate(template, `placeholder "{${match[1]}}" is not a field name like {id} or {user.id}`);
    parts.push({field});
  }
  return parts;
}

/** The fields a template reads, for display and validation. */
export function lockFields(template: string): string[] {
  return parseLockTemplate(template).flatMap((part) => ('field' in part ? [part.field] : []));
}

/** Fills `template` from `input`. Throws a `bad_input` error naming the template and the missing or unusable field. */
export function lockKey(template: string, input: unknown): string {
  const parts = parseLockTemplate(template);
  if (parts.every((part) => 'text' in part)) return template;
  if (!isRecord(input)) {
    throw new CapsuleError('bad_input', `lock "${template}" is filled from fields of the input, so the input must be an object, got ${describe(input)}`, {
      hint: `submit an object input with ${lockFields(template).map((field) => `"${field}"`).join(', ')}`,
    });
  }
  return parts.map((part) => ('text' in part ? part.text : fieldValue(template, part.field, input))).join('');
}

function fieldValue(template: string, path: string, input: Record<string, unknown>): string {
  let value: unknown = input;
  for (const segment of path.split('.')) {
    value = isRecord(value) && Object.hasOwn(value, segment) ? value[segment] : undefined;
    if (value === undefined) {
      const keys = Object.keys(input);
      throw new CapsuleError('bad_input', `lock "${template}" needs field "${path}" in the input, got an input ${keys.length ? `with only ${keys.join(', ')}` : 'with no fields'}`, {
        hint: `add "${path}" to the input, or change the task's lock template`,
      });
    }
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new CapsuleError('bad_input', `lock "${template}" field "${path}" must be a string, number or boolean, got ${describe(value)}`, {
    hint: 'lock on a scalar field of the input, such as an id',
  });
}

function badTemplate(template: string, problem: string): CapsuleError {
  return new CapsuleError('config_invalid', `invalid lock template ${JSON.stringify(template)}: ${problem}`, {
    hint: 'write literal text with {field} placeholders, for example "report:{id}" or "user:{user.id}"',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'no input';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

/** Why a run of a task with lockMode "skip" was not run: `key` (as the template gives it) was held. */
export function skippedMessage(key: string, holder: string): string {
  return `skipped: lock "${key}" is held by run ${holder} (the task's lockMode is "skip")`;
}
