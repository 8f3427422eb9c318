/**
 * What a target a person typed names. One set of rules for the CLI and the daemon: which
 * strings are run ids, how `ns/name` splits, and which item of a project a name is.
 */
import {CapsuleError, badInput} from '../lib/errors.js';
import {didYouMean} from '../lib/suggest.js';
import {splitInstance} from './instances.js';
import type {ItemRef} from './common.js';
import type {ProjectSummary} from './projects.js';

/** Run ids look like `run_…`; everything else a command takes is `ns/name` or a namespace. */
export function isRunId(target: string): boolean {
  return /^run_[A-Za-z0-9_-]+$/.test(target);
}

/** Parses `ns/name` (a service's instance: `ns/name#2`); `what` names the kind of thing in the error ("service", "task"). */
export function parseItemRef(target: string, what: string): ItemRef {
  const match = /^([a-z0-9][a-z0-9_-]*)\/([A-Za-z0-9_.-]+(?:#[0-9]+)?)$/.exec(target);
  if (!match) throw badInput(`expected a ${what} as NAMESPACE/NAME (like reports/api), got ${JSON.stringify(target)}`, 'see `capsule list --tree` for the names');
  return {namespace: match[1]!, name: match[2]!};
}

export type ItemKind = 'task' | 'schedule' | 'service';

const LISTS = {task: 'tasks', schedule: 'schedules', service: 'services'} as const;

/**
 * Which of `kinds` `name` is in `project`, in the order given (a name may be both a task and
 * the schedule it declares); a not_found error with the nearest name of those kinds if none.
 */
export function findItem(project: ProjectSummary, name: string, kinds: readonly ItemKind[]): ItemKind {
  // A service is listed by instance (`api#0` …): `api` and `api#N` name it; which instance is the daemon's to say.
  const service = splitInstance(name).service;
  const found = kinds.find((kind) => project[LISTS[kind]].some((item) => item.name === name || (kind === 'service' && splitInstance(item.name).service === service)));
  if (found) return found;
  const suggestion = didYouMean(name, kinds.flatMap((kind) => project[LISTS[kind]].map((item) => item.name)));
  throw new CapsuleError('not_found', `${project.namespace} has no ${joinOr(kinds)} named "${name}"`, {
    hint: suggestion ? `did you mean "${project.namespace}/${suggestion}"?` : `see \`capsule list ${project.namespace} --tree\``,
  });
}

function joinOr(kinds: readonly ItemKind[]): string {
  return kinds.length <= 2 ? kinds.join(' or ') : `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}`;
}
