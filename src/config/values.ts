import {z} from 'zod';
import {parseDuration} from '../lib/duration.js';
import {parseSize} from '../lib/size.js';

/** Parses with one of the shared parsers, turning its CapsuleError into a zod issue at this path. */
function parsed<T>(parse: (value: string | number) => T) {
  return z.union([z.string(), z.number()]).transform((value, ctx): T => {
    try {
      return parse(value);
    } catch (error) {
      ctx.issues.push({code: 'custom', message: (error as Error).message, input: value});
      return z.NEVER;
    }
  });
}

/** "30s", "15m", or milliseconds, to milliseconds. */
export const duration = (what: string) => parsed((value) => parseDuration(value, what));
/** "512MB", or bytes, to bytes. */
export const size = (what: string) => parsed((value) => parseSize(value, what));
