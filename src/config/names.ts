import {z} from 'zod';
import {describeValue} from './describe.js';

/** Project namespaces and schedule/service names: they appear in addresses such as `reports/api`. */
export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

const NAME_EXPECTED = 'a name of lowercase letters, digits, "_" and "-" that starts with a letter or digit';

/** A string that must match NAMESPACE_PATTERN; a near miss ("My App") suggests its fix ("my-app"). */
export const nameSchema = z.string().superRefine((name, ctx) => {
  if (NAMESPACE_PATTERN.test(name)) return;
  ctx.addIssue({code: 'custom', message: `expected ${NAME_EXPECTED}, got ${describeValue(name)}`, params: {suggestion: toName(name)}});
});

function toName(text: string): string | null {
  const name = text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[_-]+|[_-]+$/g, '');
  return NAMESPACE_PATTERN.test(name) ? name : null;
}
