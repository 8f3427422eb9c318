import {z} from 'zod';
import {computeRule, maxRetriesRule, ramRule, timeoutRule, type Rule, type TaskDefaults} from './task-limits.js';

/** A task-limit rule as a key of the table; its refusal becomes the key's issue, with its suggestion. */
function ruleSchema<T>(rule: Rule<T>) {
  return z.unknown().transform((value, ctx): T => {
    const checked = rule(value);
    if (checked.ok) return checked.value;
    ctx.addIssue({code: 'custom', message: checked.message, path: checked.key === undefined ? [] : [checked.key], params: {suggestion: checked.suggestion}});
    return z.NEVER;
  });
}

/** `[defaults]`; every key is optional and the defaults are written as a user would write them. */
export const defaultsSchema = z
  .strictObject({
    compute: ruleSchema(computeRule).prefault('MEDIUM'),
    ram: ruleSchema(ramRule).prefault('256MB'),
    timeout: ruleSchema(timeoutRule).prefault('30s'),
    max_retries: ruleSchema(maxRetriesRule).prefault(2),
  })
  .transform((table): TaskDefaults => ({computeMs: table.compute, ramBytes: table.ram, timeoutMs: table.timeout, maxRetries: table.max_retries}));
