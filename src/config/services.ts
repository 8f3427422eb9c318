import {z} from 'zod';

/**
 * One `[services.NAME]` table. A placeholder until the services issue brings the full key
 * list: it checks only what `capsule list` shows and lets every other key through.
 */
export const serviceSchema = z.looseObject({
  /** A shell command line, or the program and its arguments. */
  command: z.union([z.string(), z.array(z.string()).min(1)]),
});

export type ServiceConfig = z.output<typeof serviceSchema>;
