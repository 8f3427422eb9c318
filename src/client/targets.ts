import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import {CapsuleError} from '../lib/errors.js';
import type {ItemRef, ProjectTarget, RunTarget} from '../protocol/index.js';
import {findItem, parseItemRef, type ItemKind} from '../protocol/targets.js';
import type {DaemonClient} from './client.js';


/** `ns/task`, or a path to a task file for an ad-hoc run (optionally naming which of its tasks). */
export function parseRunTarget(target: string, task?: string): RunTarget {
  const looksLikeFile = /\.(m?[jt]s|tsx)$/.test(target) || target.startsWith('.') || target.startsWith('/');
  const exists = existsSync(target);
  if (looksLikeFile && !exists) {
    // The daemon refuses a missing file too, but only here is the path known as it was written.
    const file = resolve(target);
    throw new CapsuleError('not_found', `task file ${target} not found${file === target ? '' : ` (resolved to ${file})`}`, {
      hint: 'check the path; a relative one is resolved from the current directory',
    });
  }
  if (looksLikeFile || exists) return task === undefined ? {file: resolve(target)} : {file: resolve(target), task};
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
