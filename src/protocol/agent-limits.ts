/** The agent contract's fixed names and limits, without zod: the embedded agent runs inside every Node service. */

/** The environment variables through which a service process finds the daemon and proves its identity. */
export const AGENT_ENVIRONMENT = {
  socket: 'CAPSULE_AGENT_SOCKET',
  token: 'CAPSULE_AGENT_TOKEN',
  /** "namespace/name"; set for every service. */
  service: 'CAPSULE_SERVICE',
} as const;

/** What a metric's name may be. */
export const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
export const METRIC_NAME_RULE = 'letters, digits, _ . : - (at most 64, starting with a letter or _)';

/** Distinct metric names one agent may report; the daemon refuses more. */
export const MAX_AGENT_METRICS = 100;
/** An action's result, as JSON, may not pass this size (one message on the socket is capped too). */
export const MAX_ACTION_RESULT_BYTES = 1024 * 1024;
