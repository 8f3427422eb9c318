/**
 * The capsule.toml of the ad-hoc project (services started with `capsule start --name … -- CMD`):
 * the daemon is its only writer, so it is rendered whole from the services it holds rather than
 * edited in place; a person who edits it by hand still gets a valid, commented file back.
 */
import {parse, stringify} from 'smol-toml';
import type {RestartMode} from './services.js';

/** The namespace (and directory name, under CAPSULE_HOME) of the ad-hoc project; ad-hoc task runs (`capsule run ./file.ts`) are in it too. */
export const ADHOC_NAMESPACE = 'adhoc';

/** One ad-hoc service as `capsule start --name` gave it: the command resolved, the cwd absolute. */
export interface AdhocService {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  /** null: the default policy (on-failure). */
  restart: RestartMode | null;
  /** An http(s) URL probed for health; null: no probe. */
  health: string | null;
}

const HEADER = [
  '# Managed by capsule: services started with `capsule start --name NAME -- CMD ...`.',
  '# Edit them with `capsule start --name` and `capsule delete NAME`; this file is rewritten whole on each change.',
  '',
].join('\n');

export function renderAdhocFile(services: Record<string, AdhocService>): string {
  const tables = Object.fromEntries(
    Object.entries(services)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, service]) => [name, serviceTable(service)]),
  );
  const body = stringify({project: {name: ADHOC_NAMESPACE, description: 'ad-hoc services started with capsule start --name'}, services: tables});
  return `${HEADER}\n${body}\n`;
}

function serviceTable(service: AdhocService): Record<string, unknown> {
  return {
    command: service.command,
    cwd: service.cwd,
    ...(service.restart === null ? {} : {restart: service.restart}),
    ...(Object.keys(service.env).length === 0 ? {} : {env: service.env}),
    ...(service.health === null ? {} : {health: {http: service.health}}),
  };
}

/**
 * The services of a file `renderAdhocFile` wrote. A table it cannot read back as one of its own
 * (edited by hand into something else) is kept out and named in `unreadable`, never dropped silently.
 */
export function readAdhocFile(text: string): {services: Record<string, AdhocService>; unreadable: string[]} {
  const tables = ((parse(text) as {services?: unknown}).services ?? {}) as Record<string, unknown>;
  const services: Record<string, AdhocService> = {};
  const unreadable: string[] = [];
  for (const [name, table] of Object.entries(tables)) {
    const service = toAdhocService(table);
    if (service) services[name] = service;
    else unreadable.push(name);
  }
  return {services, unreadable};
}

function toAdhocService(table: unknown): AdhocService | null {
  if (typeof table !== 'object' || table === null) return null;
  const {command, cwd, env = {}, restart, health} = table as Record<string, unknown>;
  if (!Array.isArray(command) || !command.every((part) => typeof part === 'string') || typeof cwd !== 'string') return null;
  if (typeof env !== 'object' || env === null || !Object.values(env).every((value) => typeof value === 'string')) return null;
  if (restart !== undefined && restart !== 'always' && restart !== 'on-failure' && restart !== 'never') return null;
  const url = (health as {http?: unknown} | undefined)?.http;
  if (health !== undefined && typeof url !== 'string') return null;
  return {command, cwd, env: env as Record<string, string>, restart: restart ?? null, health: typeof url === 'string' ? url : null};
}

/** Same service: what a second `capsule start --name` with the same command and options means (start it, not refuse it). */
export function sameAdhocService(a: AdhocService, b: AdhocService): boolean {
  return JSON.stringify(serviceTable(a)) === JSON.stringify(serviceTable(b));
}
