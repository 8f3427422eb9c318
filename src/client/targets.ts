import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import {CapsuleError, badInput} from '../lib/errors.js';
import {didYouMean} from '../lib/suggest.js';
import type {DaemonClient} from './client.js';
import type {RunTarget} from '../protocol/index.js';

/** Run ids look like `run_…`; everything else a command takes is `ns/name` or a namespace. */
export function isRunId(target: string): boolean {
  return /^run_[A-Za-z0-9_-]+$/.test(target);
}

export interface ItemRef {
  namespace: string;
  name: string;
}

/** Parses `ns/name`; `what` names the kind of thing in the error ("service", "task"). */
export function parseItemRef(target: string, what: string): ItemRef {
  const match = /^([a-z0-9][a-z0-9_-]*)\/([A-Za-z0-9_.-]+)$/.exec(target);
  if (!match) throw badInput(`expected a ${what} as NAMESPACE/NAME (like reports/api), got ${JSON.stringify(target)}`, 'see `capsule list --tree` for the names');
  return {namespace: match[1]!, name: match[2]!};
}

/** `ns/task`, or a path to a task file for an ad-hoc run (optionally naming which of its tasks). */
export function parseRunTarget(target: string, task?: string): RunTarget {
  const looksLikeFile = /\.(m?[jt]s|tsx)$/.test(target) || target.startsWith('.') || target.startsWith('/');
  if (looksLikeFile || existsSync(target)) return task === undefined ? {file: resolve(target)} : {file: resolve(target), task};
  const ref = parseItemRef(target, 'task');
  return {namespace: ref.namespace, task: ref.name};
}

export type ItemKind = 'task' | 'schedule' | 'service';

/** What `ns/name` names in the running daemon; a clear error with a suggestion if nothing. */
export async function resolveItem(client: DaemonClient, ref: ItemRef): Promise<ItemKind> {
  const {projects} = await client.call('project.list', {namespace: ref.namespace});
  const project = projects[0]!;
  if (project.services.some((service) => service.name === ref.name)) return 'service';
  if (project.tasks.some((task) => task.name === ref.name)) return 'task';
  if (project.schedules.some((schedule) => schedule.name === ref.name)) return 'schedule';
  const names = [...project.services, ...project.tasks, ...project.schedules].map((item) => item.name);
  const suggestion = didYouMean(ref.name, names);
  throw new CapsuleError('not_found', `${ref.namespace} has no task, schedule or service named "${ref.name}"`, {
    hint: suggestion ? `did you mean "${ref.namespace}/${suggestion}"?` : `see \`capsule list ${ref.namespace} --tree\``,
  });
}
