import {z} from 'zod';
import {EXIT_CODES, type ErrorCode} from '../lib/errors.js';

/** A name, id or path a method needs: never empty. */
export const Text = z.string().min(1, 'expected a non-empty string');

/** Names a project's item (service, schedule): `namespace/name`. */
export const ItemRef = z.strictObject({namespace: Text, name: Text});
export type ItemRef = z.infer<typeof ItemRef>;

/** An ISO 8601 instant, as every record carries its times. */
export const Instant = z.string();

const ERROR_CODES = Object.keys(EXIT_CODES) as [ErrorCode, ...ErrorCode[]];

export const ErrorPayload = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  hint: z.string().optional(),
  details: z.unknown().optional(),
});

/** Methods without parameters still take an object, and nothing in it. */
export const NoParams = z.strictObject({});
