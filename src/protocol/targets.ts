/**
 * What a target a person typed names. One set of rules for the CLI and the daemon: which
 * strings are run ids, how `ns/name` splits, and which item of a project a name is.
 */
import {CapsuleError, badInput} from '../lib/errors.js';
import {nearestName} from '../lib/suggest.js';
import {splitInstance} from './instances.js';
import type {ItemRef} from './common.js';
import type {ProjectSummary} from './projects.js';

/** Run ids look like `run_…`; everything else a command takes is `ns/name` or a namespace. */
export function isRunId(target: string): boolean {
  return /^run_[A-Za-z0-9_-]+$/.test(target);
}

/** A code session's id (daemon/sessions): `ses_` and hex digits. */
export function isSessionId(target: string): boolean {
  return /^ses_[0-9a-f]+$/.test(target);
}

/** Parses `ns/name` (a service's instance: `ns/name#2`); `what` names the kind of thing in the error ("service", "task"). */
export function parseItemRef(target: string, what: string): ItemRef {
  const match = /^([a-z0-9][a-z0-9_-]*)\/([A-Za-z0-9_.-]+(?:#[0-9]+)?)$/.exec(target);
  if (!match) throw badInput(`expected a ${what} as NAMESPACE/NAME (like reports/api), got ${JSON.stringify(target)}`, 'see `capsule list --tree` for the names');
  return {namespace: match[1]!, name: match[2]!};
}

export const ITEM_KINDS = ['task', 'schedule', 'service'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

const LISTS = {task: 'tasks', schedule: 'schedules', service: 'services'} as const;

/**
 * Which of `kinds` `name` is in `project`, in the order given (a name may be both a task and
 * the schedule it declares); a not_found error with the nearest name of those kinds if none.
 */
export function findItem(project: ProjectSummary, name: string, kinds: readonly ItemKind[]): ItemKind {
  // A service is listed by instance (`api#0` …): `api` and `api#N` name it; which instance is the daemon's to say.
  const found = kindOf(project, name, kinds);
  if (found) return found;
  const suggestion = nearestName(name, kinds.flatMap((kind) => project[LISTS[kind]].map((item) => item.name)));
  throw new CapsuleError('not_found', `${project.namespace} has no ${joinOr(kinds)} named "${name}"`, {
    hint: suggestion ? `did you mean "${project.namespace}/${suggestion}"?` : `see \`capsule list ${project.namespace} --tree\``,
  });
}

/** What a bare name (no `ns/`) resolved to: `ns/name`, or a namespace. */
export interface ResolvedName {
  target: string;
  kind: ItemKind | 'namespace';
}

export interface BareNameQuery {
  name: string;
  /** The kinds of item the command acts on, in the order a name that is several of them is taken. */
  kinds: readonly ItemKind[];
  /** Whether a namespace is an answer too (`capsule restart shop`: all of shop's services). */
  namespaces: boolean;
  /** The project directory the command was typed in (found upwards from it), if any. */
  root?: string | undefined;
}

/**
 * What a name typed without its namespace means, as git finds the repository it is in: an item
 * of the project the command was typed in; else a namespace (where one is wanted); else the one
 * item of that name in any project. Several give a "did you mean" that lists them; none, the
 * nearest name.
 */
export function resolveBareName(projects: readonly ProjectSummary[], query: BareNameQuery): ResolvedName {
  const {name, kinds, namespaces, root} = query;
  const here = root === undefined ? undefined : projects.find((project) => project.root === root);
  const hereKind = here && kindOf(here, name, kinds);
  if (here && hereKind) return {target: `${here.namespace}/${name}`, kind: hereKind};
  if (namespaces && projects.some((project) => project.namespace === name)) return {target: name, kind: 'namespace'};
  const matches = projects.flatMap((project) => {
    const kind = kindOf(project, name, kinds);
    return kind ? [{target: `${project.namespace}/${name}`, kind}] : [];
  });
  if (matches.length === 1) return matches[0]!;
  const what = joinOr(namespaces ? [...kinds, 'project'] : kinds);
  if (matches.length > 1) {
    throw new CapsuleError('bad_input', `"${name}" is the name of ${matches.length} items: say which`, {
      hint: `did you mean ${joinOr(matches.map((match) => `"${match.target}" (${match.kind})`))}?`,
      details: {candidates: matches.map((match) => match.target)},
    });
  }
  // None: the nearest name, those of the project typed in first.
  const ordered = here ? [here, ...projects.filter((project) => project !== here)] : projects;
  const full = new Map<string, string>();
  for (const project of ordered) {
    for (const kind of kinds) for (const item of project[LISTS[kind]]) if (!full.has(item.name)) full.set(item.name, `${project.namespace}/${item.name}`);
  }
  if (namespaces) for (const project of projects) if (!full.has(project.namespace)) full.set(project.namespace, project.namespace);
  const suggestion = nearestName(name, full.keys());
  const unregistered = root !== undefined && here === undefined;
  throw new CapsuleError('not_found', `no ${what} is named "${name}"${here ? ` in ${here.namespace} (the project of this directory) or any other project` : ''}`, {
    hint:
      suggestion !== undefined
        ? `did you mean "${full.get(suggestion)}"?`
        : unregistered
          ? `this directory's project (${root}) is not registered: \`capsule up\` registers it`
          : 'see `capsule list --tree` for the names',
  });
}

/** Which of `kinds` `name` is in `project`; a service also by one of its instances' names. */
function kindOf(project: ProjectSummary, name: string, kinds: readonly ItemKind[]): ItemKind | undefined {
  const service = splitInstance(name).service;
  return kinds.find((kind) => project[LISTS[kind]].some((item) => item.name === name || (kind === 'service' && splitInstance(item.name).service === service)));
}

function joinOr(kinds: readonly string[]): string {
  return kinds.length <= 2 ? kinds.join(' or ') : `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}`;
}
