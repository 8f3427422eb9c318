import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import type {ItemRef, ProjectTarget, RunTarget} from '../protocol/index.js';
import {findItem, parseItemRef, type ItemKind} from '../protocol/targets.js';
import type {DaemonClient} from './client.js';


/** `ns/task`, or a path to a task file for an ad-hoc run (optionally naming which of its tasks). */
export function parseRunTarget(target: string, task?: string): RunTarget {
  const looksLikeFile = /\.(m?[jt]s|tsx)$/.test(target) || target.startsWith('.') || target.startsWith('/');
  if (looksLikeFile || existsSync(target)) return task === undefined ? {file: resolve(target)} : {file: resolve(target), task};
  const ref = parseItemRef(target, 'task');
  return {namespace: ref.namespace, task: ref.name};
}

/** A namespace, or a project's directory when written as a path (`.`, `./shop`, `/srv/shop`): a namespace never has a "/" or a leading ".". */
export function parseProjectTarget(target: string): ProjectTarget {
  return target.includes('/') || target.startsWith('.') ? {root: resolve(target)} : {namespace: target};
}

/** What `ns/name` names in the running daemon; a clear error with a suggestion if nothing. */
export async function resolveItem(client: DaemonClient, ref: ItemRef): Promise<ItemKind> {
  const {projects} = await client.call('project.list', {namespace: ref.namespace});
  return findItem(projects[0]!, ref.name, ['service', 'task', 'schedule']);
}
