/**
 * The copies of one service (`instances = N`): how an instance is named and addressed. One set
 * of rules for the CLI, the dashboard and the daemon; no zod, so every side may load it.
 *
 * A service of one instance is `reports/api`, as it always was. With more, each is `api#0` …
 * `api#N-1`; `reports/api` then names them all (start, stop, restart, logs, config) and
 * `reports/api#2` one of them.
 */

/** What `instances` and `capsule scale` accept at most: each instance is a process group, probes and a log. */
export const MAX_INSTANCES = 64;

/** The environment variable that tells an instance its number, 0 … N-1. */
export const INSTANCE_ENVIRONMENT = 'CAPSULE_INSTANCE';

/** What `name` addresses: a service (`instance` null: all its instances) or one instance of it. */
export interface InstanceAddress {
  service: string;
  instance: number | null;
}

/** Splits `api#2` into the service and the instance; `api` is the whole service. */
export function splitInstance(name: string): InstanceAddress {
  const match = /^(.+)#(0|[1-9][0-9]*)$/.exec(name);
  return match ? {service: match[1]!, instance: Number(match[2])} : {service: name, instance: null};
}

/** How an instance is shown and addressed: the bare name while the service has one instance. */
export function instanceName(service: string, instance: number, instances: number): string {
  return instances === 1 && instance === 0 ? service : `${service}#${instance}`;
}
