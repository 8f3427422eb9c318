import type {z} from 'zod';
import {describeType, describeValue} from './describe.js';
import {formatKeyPath} from './issues.js';
import type {KeyPath} from './locator.js';

type RawIssue = z.core.$ZodRawIssue;

/**
 * zod's default wording, rephrased as "expected X, got Y" in TOML's terms (an object is a
 * table). Used as the error map, so issues a schema words itself keep their own message.
 */
export function configMessage(issue: RawIssue): string | undefined {
  const got = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input !== undefined) return `expected ${describeType(issue.expected)}, got ${got}`;
      if (issue.expected === 'object') return `missing table [${formatKeyPath((issue.path ?? []) as KeyPath)}]`;
      return missingKeyMessage([describeType(issue.expected)]);
    case 'too_small':
    case 'too_big':
      return `expected ${bound(issue)}, got ${got}`;
    case 'invalid_value':
      return `expected ${oneOf(issue.values.map((value) => JSON.stringify(value)))}, got ${got}`;
    case 'invalid_format':
      return `expected ${issue.format === 'regex' ? `a string matching ${issue.pattern}` : `a valid ${issue.format}`}, got ${got}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}, got ${got}`;
    case 'unrecognized_keys':
      return 'unknown key';
    default:
      return undefined;
  }
}

export function missingKeyMessage(expected: string[]): string {
  return `missing required key: expected ${expected.join(' or ')}`;
}

function oneOf(values: string[]): string {
  return values.length === 1 ? values[0]! : `one of ${values.join(', ')}`;
}

function bound(issue: Extract<RawIssue, {code: 'too_small' | 'too_big'}>): string {
  const small = issue.code === 'too_small';
  const limit = small ? issue.minimum : issue.maximum;
  if (issue.origin === 'array' || issue.origin === 'string') {
    if (small && Number(limit) === 1) return `a non-empty ${issue.origin}`;
    const unit = issue.origin === 'array' ? 'item' : 'character';
    return `${small ? 'at least' : 'at most'} ${limit} ${unit}${Number(limit) === 1 ? '' : 's'}`;
  }
  const comparison = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  return `a number ${comparison} ${limit}`;
}
