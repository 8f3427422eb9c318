import {z} from 'zod';
import {allowedFilesRule} from './sandbox-files.js';
import {allowedHostsRule} from './sandbox-hosts.js';
import {DEFAULT_SANDBOX_POLICY} from './sandbox-policy.js';
import {computeRule, isolationRule, maxRetriesRule, ramRule, scratchRule, timeoutRule, type Rule, type TaskDefaults} from './task-limits.js';

/** A task-limit rule as a key of the table; its refusal becomes the key's issue (at the list element it names), with its suggestion. */
function ruleSchema<T>(rule: Rule<T>) {
  return z.unknown().transform((value, ctx): T => {
    const checked = rule(value);
    if (checked.ok) return checked.value;
    ctx.addIssue({code: 'custom', message: checked.message, path: checked.key === undefined ? [] : [checked.key], params: {suggestion: checked.suggestion}});
    return z.NEVER;
  });
}

/**
 * `[defaults]` of the project at `root` (allowed_files are resolved against it); every key is
 * optional and the defaults are written as a user would write them. The sandbox keys apply to
 * sandboxed tasks only, so they may be set whatever `isolation` says.
 */
export function defaultsSchema(root: string) {
  return z
    .strictObject({
      compute: ruleSchema(computeRule).prefault('MEDIUM'),
      ram: ruleSchema(ramRule).prefault('256MB'),
      timeout: ruleSchema(timeoutRule).prefault('30s'),
      max_retries: ruleSchema(maxRetriesRule).prefault(2),
      isolation: ruleSchema(isolationRule).prefault('thread'),
      allowed_files: ruleSchema(allowedFilesRule(root)).optional(),
      allowed_hosts: ruleSchema(allowedHostsRule).optional(),
      scratch: ruleSchema(scratchRule).optional(),
    })
    .transform(
      (table): TaskDefaults => ({
        computeMs: table.compute,
        ramBytes: table.ram,
        timeoutMs: table.timeout,
        maxRetries: table.max_retries,
        isolation: table.isolation,
        sandbox: {
          ...DEFAULT_SANDBOX_POLICY,
          files: table.allowed_files ?? DEFAULT_SANDBOX_POLICY.files,
          hosts: table.allowed_hosts ?? DEFAULT_SANDBOX_POLICY.hosts,
          scratchBytes: table.scratch ?? DEFAULT_SANDBOX_POLICY.scratchBytes,
        },
      }),
    );
}
