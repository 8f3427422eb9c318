import {existsSync, statSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {CONFIG_FILE_NAME} from '../config/file-name.js';
import {CapsuleError} from '../lib/errors.js';
import type {ItemRef, ProjectTarget, RunTarget} from '../protocol/index.js';
import {findItem, isRunId, isSessionId, parseItemRef, type ItemKind} from '../protocol/targets.js';
import type {DaemonClient} from './client.js';

/** The project `dir` is in: the nearest directory at or above it holding a capsule.toml, as git finds `.git`. */
export function findProjectRoot(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, CONFIG_FILE_NAME))) return current;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * TARGET as the daemon takes it. A run id and `ns/name` are taken as written; a bare name means
 * an item of the project of the current directory, else a namespace (where `namespaces`), else
 * the one item of that name anywhere (src/protocol/targets.ts resolveBareName).
 */
export async function resolveTarget(client: DaemonClient, target: string, kinds: readonly ItemKind[], options: {namespaces: boolean}): Promise<string> {
  if (isRunId(target) || isSessionId(target) || target.includes('/')) return target;
  const root = findProjectRoot(process.cwd());
  const resolved = await client.call('project.resolve', {name: target, kinds: [...kinds], namespaces: options.namespaces, ...(root === undefined ? {} : {root})});
  return resolved.target;
}

/** An item's `ns/name`, its namespace found as resolveTarget finds it. */
export async function resolveItemRef(client: DaemonClient, target: string, kind: ItemKind): Promise<ItemRef> {
  return parseItemRef(await resolveTarget(client, target, [kind], {namespaces: false}), kind);
}


/**
 * A path to a task file for an ad-hoc run (optionally naming which of its tasks), or `ns/task`,
 * a bare task name resolved as resolveTarget does.
 */
export async function resolveRunTarget(client: DaemonClient, target: string, task?: string): Promise<RunTarget> {
  const file = fileRunTarget(target, task);
  if (file) return file;
  const ref = await resolveItemRef(client, target, 'task');
  return {namespace: ref.namespace, task: ref.name};
}

/** TARGET as a task file, checked before the daemon is reached: only here is the path known as it was written. */
export function fileRunTarget(target: string, task?: string): RunTarget | undefined {
  const looksLikeFile = /\.(m?[jt]s|tsx)$/.test(target) || target.startsWith('.') || target.startsWith('/');
  // A directory of the same name as a task (`tasks/`) is not a task file.
  const exists = statSync(target, {throwIfNoEntry: false})?.isFile() === true;
  if (looksLikeFile && !exists) {
    // The daemon refuses a missing file too, but only here is the path known as it was written.
    const file = resolve(target);
    throw new CapsuleError('not_found', `task file ${target} not found${file === target ? '' : ` (resolved to ${file})`}`, {
      hint: 'check the path; a relative one is resolved from the current directory',
    });
  }
  if (looksLikeFile || exists) return task === undefined ? {file: resolve(target)} : {file: resolve(target), task};
  return undefined;
}

/** A namespace, or a project's directory when written as a path (`.`, `./shop`, `/srv/shop`): a namespace never has a "/" or a leading ".". */
export function parseProjectTarget(target: string): ProjectTarget {
  return target.includes('/') || target.startsWith('.') ? {root: projectDir(target)} : {namespace: target};
}

/** The namespace `--project` names: itself, or (written as a path, `.` or `./lab`) the one registered for that directory. */
export async function projectNamespace(client: DaemonClient, target: string): Promise<string> {
  const parsed = parseProjectTarget(target);
  if ('namespace' in parsed) return parsed.namespace;
  const {projects} = await client.call('project.list', {});
  const found = projects.find((project) => project.root === parsed.root);
  if (found === undefined) throw new CapsuleError('not_found', `no project is registered for ${parsed.root}`, {hint: `register it with \`capsule project add ${target}\`, or name a project by its namespace (see \`capsule project list\`)`});
  return found.namespace;
}

/** The project a directory written on the command line is in: `capsule up` from `shop/tasks/` means shop. */
export function projectDir(dir: string): string {
  return findProjectRoot(dir) ?? resolve(dir);
}

/** What `ns/name` names in the running daemon; a clear error with a suggestion if nothing. */
export async function resolveItem(client: DaemonClient, ref: ItemRef): Promise<ItemKind> {
  const {projects} = await client.call('project.list', {namespace: ref.namespace});
  return findItem(projects[0]!, ref.name, ['service', 'task', 'schedule']);
}
