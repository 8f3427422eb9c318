/**
 * `capsule restart|stop|start TARGET` where TARGET may be a run id, `ns/schedule`,
 * `ns/service` or a namespace: the daemon resolves what it names and does the natural
 * thing (restart: re-run a run, trigger a schedule, restart a service; stop: cancel a run,
 * pause a schedule, stop a service; start: resume a schedule, start a service).
 */
export type ControlVerb = 'restart' | 'stop' | 'start';

export interface ControlResult {
  kind: 'run' | 'schedule' | 'service' | 'namespace';
  target: string;
  /** One line saying what happened, e.g. "restarted reports/api (pid 4242)". */
  message: string;
  /** The new run's id when a run was started (re-run, schedule trigger). */
  runId: string | null;
}

export interface ControlMethods {
  'control.apply': {params: {verb: ControlVerb; target: string}; result: ControlResult};
}
