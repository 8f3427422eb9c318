/** Checking what crosses the socket against the schemas (daemon side: it loads zod). */
import type {z} from 'zod';
import {CapsuleError} from '../lib/errors.js';
import {didYouMean} from '../lib/suggest.js';
import {events, methods, type HandlerParams, type MethodName} from './methods.js';

type Issue = z.core.$ZodIssue;

/** Checks a request's params; a mismatch is `bad_request` naming the field, what was expected and what came. */
export function checkParams<M extends MethodName>(method: M, params: unknown): HandlerParams<M> {
  const schema = methods[method].params;
  const checked = schema.safeParse(params ?? {});
  if (checked.success) return checked.data as HandlerParams<M>;
  // Only a refusal is parsed again, to say what came: `reportInput` turns off zod's fast path
  // (`npm run bench -- protocol`: 11.2 µs instead of 1.25 for a run's run.submit and run.wait).
  const {error} = schema.safeParse(params ?? {}, {reportInput: true});
  const [first, ...rest] = error!.issues;
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more)`;
  throw new CapsuleError('bad_request', `${method}: ${describeIssue(first!, 'params')}${more}`, {
    hint: `this daemon does not accept that request; a program calling it directly must send what \`${method}\` takes (see src/protocol)`,
    details: {issues: error!.issues.map((issue) => ({path: issue.path.map(String), message: describeIssue(issue, 'params')}))},
  });
}

/**
 * Checks what the daemon itself sends, when CAPSULE_PROTOCOL_CHECK=1 (the test suite sets it):
 * a handler or plugin that strays from its schema fails loudly there instead of surprising a client.
 */
export const checkingOutput = process.env.CAPSULE_PROTOCOL_CHECK === '1';

export function checkResult<T>(method: MethodName, result: T): T {
  const checked = methods[method].result.safeParse(result, {reportInput: true});
  if (checked.success) return result;
  throw new CapsuleError('internal', `${method} returned a result its schema refuses: ${describeIssue(checked.error.issues[0]!, 'result')}`);
}

export function checkEvent(event: string, data: unknown): void {
  const schema = (events as Partial<Record<string, z.ZodType>>)[event];
  if (!schema) throw new CapsuleError('internal', `event "${event}" is not in the protocol`);
  const checked = schema.safeParse(data, {reportInput: true});
  if (!checked.success) throw new CapsuleError('internal', `event ${event} carries data its schema refuses: ${describeIssue(checked.error.issues[0]!, 'data')}`);
}

export function isMethod(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

export function suggestMethod(name: string): string | undefined {
  return didYouMean(name, Object.keys(methods));
}

function describeIssue(issue: Issue, root: string): string {
  const path = [root, ...issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))].join('').replace(/\.\[/g, '[');
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `${path} is required: expected ${issue.expected}` : `${path}: expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${path}.${key}: unknown field`).join('; ');
    case 'invalid_value':
      return `${path}: expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}, got ${describe(issue.input)}`;
    case 'invalid_union':
      // A discriminated union names no branch when the discriminator itself is wrong.
      if (issue.errors.length === 0) return `${path}: ${issue.message}, got ${describe(issue.input)}`;
      // Each accepted shape's first complaint: together they say what would have been taken.
      return issue.errors.map((branch) => describeIssue(branch[0]!, path)).join('; or ');
    default:
      return `${path}: ${issue.message}, got ${describe(issue.input)}`;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
