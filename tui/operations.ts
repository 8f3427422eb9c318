import {SECRET_MASK, type ConfigEntry, type RunRecord, type ScheduleSummary, type ServiceSummary, type StepRecord} from '../src/protocol/index.js';
import {CapsuleError, toCapsuleError} from '../src/lib/errors.js';
import type {DashboardClient} from './client.js';

// Every action the dashboard offers, as the same daemon calls the CLI makes. Each resolves
// with the one line the status bar shows, or rejects with the daemon's error.

export interface Ref {
  namespace: string;
  name: string;
}

const address = ({namespace, name}: Ref) => `${namespace}/${name}`;

export async function restartService(client: DashboardClient, ref: Ref): Promise<string> {
  const {services} = await client.call('service.restart', {namespace: ref.namespace, name: ref.name});
  return `restarted ${address(ref)}${pidNote(services[0])}`;
}

export async function stopService(client: DashboardClient, ref: Ref): Promise<string> {
  await client.call('service.stop', {namespace: ref.namespace, name: ref.name});
  return `stopped ${address(ref)}`;
}

export async function startService(client: DashboardClient, ref: Ref): Promise<string> {
  const {services} = await client.call('service.start', {namespace: ref.namespace, name: ref.name});
  return `started ${address(ref)}${pidNote(services[0])}`;
}

/** Another node's service: restarted, stopped or started there, as `capsule restart NS/NAME@NODE` does. */
export async function controlOnNode(client: DashboardClient, verb: 'restart' | 'stop' | 'start', ref: Ref & {node: string}): Promise<string> {
  const {message} = await client.call('control.apply', {verb, target: address(ref), node: ref.node});
  return message;
}

export async function triggerSchedule(client: DashboardClient, ref: Ref): Promise<string> {
  const {runId, skipped} = await client.call('schedule.trigger', {namespace: ref.namespace, name: ref.name});
  if (skipped || runId === null) return `${address(ref)} did not fire: its overlap policy skipped it (a run is still going)`;
  return `triggered ${address(ref)}: ${runId}`;
}

export async function toggleSchedule(client: DashboardClient, ref: Ref, schedule: ScheduleSummary): Promise<string> {
  if (schedule.paused) {
    await client.call('schedule.resume', {namespace: ref.namespace, name: ref.name});
    return `resumed ${address(ref)}`;
  }
  await client.call('schedule.pause', {namespace: ref.namespace, name: ref.name});
  return `paused ${address(ref)}`;
}

export async function rerun(client: DashboardClient, run: RunRecord): Promise<string> {
  const next = await client.call('run.rerun', {id: run.id});
  return `re-ran ${run.namespace}/${run.task} as ${next.id} (${next.status})`;
}

export async function cancelRun(client: DashboardClient, run: RunRecord): Promise<string> {
  const after = await client.call('run.cancel', {id: run.id});
  return `cancelled ${after.id} (${after.status})`;
}

export async function submitRun(client: DashboardClient, namespace: string, task: string, input: unknown): Promise<RunRecord> {
  return client.call('run.submit', {target: {namespace, task}, input});
}

/** Answers the run's waiting prompt `step`; a secret answer is kept out of a refusal, as for a secret config value. */
export async function answerPrompt(client: DashboardClient, run: RunRecord, step: StepRecord, value: string): Promise<string> {
  try {
    const after = await client.call('run.answer', {id: run.id, step: step.key, value});
    return `answered ${step.key} of ${run.id}; the run is ${after.status}`;
  } catch (error) {
    throw step.prompt?.secret ? hideSecret(error, value) : error;
  }
}

/** Resolves with the outcome; an action that exits non-zero is reported as a failure. */
export async function runAction(client: DashboardClient, ref: Ref, action: string, args: Record<string, string>): Promise<{ok: boolean; message: string}> {
  const result = await client.call('service.action', {namespace: ref.namespace, name: ref.name, action, args});
  const firstLine = result.output.trim().split('\n')[0] ?? '';
  return {ok: result.exitCode === 0, message: `${action} on ${address(ref)} exited ${result.exitCode}${firstLine ? `: ${firstLine}` : ''}`};
}

const APPLIED = {live: 'applied live', restart: 'applied by a restart', stored: 'stored, applies on next start', unchanged: 'unchanged'} as const;

/** Sets `declared`'s key; a secret's value is kept out of the error too (the daemon does not echo it; the dashboard does not count on that). */
export async function setConfig(client: DashboardClient, ref: Ref, declared: ConfigEntry, value: string): Promise<string> {
  const key = declared.key;
  try {
    const {entry, applied} = await client.call('service.config.set', {namespace: ref.namespace, name: ref.name, key, value});
    return `set ${address(ref)} ${key} = ${shownValue(entry)} (${APPLIED[applied]})`;
  } catch (error) {
    throw declared.secret ? hideSecret(error, value) : error;
  }
}

/** The daemon's error with every occurrence of a secret value masked (the dashboard does not count on the daemon leaving it out). */
function hideSecret(error: unknown, value: string): CapsuleError {
  const failure = toCapsuleError(error);
  if (value === '') return failure;
  const hide = (text: string) => text.split(value).join(SECRET_MASK);
  return new CapsuleError(failure.code, hide(failure.message), {hint: failure.hint === undefined ? undefined : hide(failure.hint)});
}

/** A config value as the dashboard shows it: secrets never appear, whatever the daemon sent. */
export function shownValue(entry: ConfigEntry): string {
  if (entry.secret) return SECRET_MASK;
  return entry.value === null ? '(unset)' : String(entry.value);
}

function pidNote(service: ServiceSummary | undefined): string {
  return service?.pid ? ` (pid ${service.pid})` : '';
}

export async function closeSession(client: DashboardClient, id: string): Promise<string> {
  await client.call('session.close', {id});
  return `closed ${id}`;
}

export async function interruptSession(client: DashboardClient, id: string): Promise<string> {
  const {interrupted} = await client.call('session.interrupt', {id});
  return interrupted === null ? `nothing was running in ${id}` : `interrupted the snippet running in ${id}`;
}
