/** The `agent.*` methods: validation of what an agent sends, then the hub. */
import {badInput} from '../../src/lib/errors.js';
import type {AgentActionInfo, AgentHealth, AgentMethods, AgentOutcome} from '../../src/protocol/agent.js';
import type {HandlerTable} from '../core/server.js';
import {requireString} from '../handlers/projects.js';
import type {AgentHub} from './agent-hub.js';

/** Longer health details and output lines are cut: they are shown, not parsed. */
const MAX_TEXT_CHARS = 16 * 1024;
const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

export function agentHandlers(hub: AgentHub): Pick<HandlerTable, keyof AgentMethods> {
  return {
    'agent.register': (params, call) =>
      hub.register(call.connectionId, {
        service: requireString(params?.service, 'service'),
        token: requireString(params?.token, 'token'),
        pid: positiveInteger(params?.pid, 'pid'),
        version: optionalText(params?.version, 'version'),
        actions: actionList(params?.actions),
      }),
    'agent.next': async (params, call) => ({requests: await hub.session(requireString(params?.session, 'session'), call.connectionId).next()}),
    'agent.reply': (params, call) => {
      const session = hub.session(requireString(params?.session, 'session'), call.connectionId);
      return {accepted: session.reply(requireString(params?.id, 'id'), outcome(params?.outcome))};
    },
    'agent.output': (params, call) => {
      const session = hub.session(requireString(params?.session, 'session'), call.connectionId);
      if (typeof params?.text !== 'string') throw badInput(`expected "text" to be a string, got ${JSON.stringify(params?.text)}`);
      return {accepted: session.output(requireString(params?.id, 'id'), params.text.slice(0, MAX_TEXT_CHARS))};
    },
    'agent.heartbeat': (params, call) => {
      const session = hub.session(requireString(params?.session, 'session'), call.connectionId);
      hub.heartbeat(session, params?.health === undefined ? undefined : health(params.health), params?.metrics === undefined ? undefined : metrics(params.metrics));
      return {accepted: true};
    },
    'agent.status': (params) => ({agent: hub.status(requireString(params?.namespace, 'namespace'), requireString(params?.name, 'name'))}),
  };
}

function positiveInteger(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) throw badInput(`expected "${name}" to be a positive integer, got ${JSON.stringify(value)}`);
  return value as number;
}

function optionalText(value: unknown, name: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw badInput(`expected "${name}" to be a string or null, got ${JSON.stringify(value)}`);
  return value.slice(0, MAX_TEXT_CHARS);
}

function actionList(value: unknown): AgentActionInfo[] {
  if (!Array.isArray(value)) throw badInput(`expected "actions" to be an array of {name, description}, got ${JSON.stringify(value)}`);
  return value.map((entry: {name?: unknown; description?: unknown}) => ({name: requireString(entry?.name, 'actions[].name'), description: optionalText(entry?.description, 'actions[].description')}));
}

function outcome(value: unknown): AgentOutcome {
  const given = value as {ok?: unknown; result?: unknown; error?: unknown} | null;
  if (given?.ok === true) return {ok: true, result: given.result ?? null};
  if (given?.ok === false) return {ok: false, error: typeof given.error === 'string' ? given.error.slice(0, MAX_TEXT_CHARS) : 'the handler failed'};
  throw badInput(`expected "outcome" as {ok: true, result} or {ok: false, error}, got ${JSON.stringify(value)}`);
}

function health(value: unknown): AgentHealth {
  const given = value as {ok?: unknown; detail?: unknown} | null;
  if (typeof given?.ok !== 'boolean') throw badInput(`expected "health" as {ok: boolean, detail}, got ${JSON.stringify(value)}`);
  return {ok: given.ok, detail: optionalText(given.detail, 'health.detail')};
}

function metrics(value: unknown): Record<string, number> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badInput(`expected "metrics" as an object of numbers, got ${JSON.stringify(value)}`);
  for (const [name, number] of Object.entries(value)) {
    if (!METRIC_NAME.test(name)) throw badInput(`invalid metric name ${JSON.stringify(name)}: expected letters, digits, _ . : - (at most 64, starting with a letter or _)`);
    if (typeof number !== 'number' || !Number.isFinite(number)) throw badInput(`metric ${name} must be a finite number, got ${JSON.stringify(number)}`);
  }
  return value as Record<string, number>;
}
