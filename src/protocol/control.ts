/**
 * `capsule restart|stop|start TARGET` where TARGET may be a run id, `ns/schedule`,
 * `ns/service` or a namespace: the daemon resolves what it names and does the natural
 * thing (restart: re-run a run, trigger a schedule, restart a service; stop: cancel a run,
 * pause a schedule, stop a service; start: resume a schedule, start a service).
 */
import {z} from 'zod';
import {Text} from './common.js';
import {CONTROL_VERBS} from './vocabulary.js';

export const ControlResult = z.object({
  kind: z.enum(['run', 'schedule', 'service', 'namespace']),
  target: z.string(),
  /** One line saying what happened, e.g. "restarted reports/api (pid 4242)". */
  message: z.string(),
  /** The new run's id when a run was started (re-run, schedule trigger). */
  runId: z.string().nullable(),
});
export type ControlResult = z.infer<typeof ControlResult>;

export const ControlParams = z.strictObject({
  verb: z.enum(CONTROL_VERBS),
  target: Text,
  /** With a backend: the node to act on (`capsule restart NS/NAME@node`); absent or this daemon's own name: here. */
  node: Text.optional(),
});

export const controlMethods = {
  'control.apply': {params: ControlParams, result: ControlResult},
};
