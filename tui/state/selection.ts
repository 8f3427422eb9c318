/** What the cursor is on in the tree. */
export type Selection =
  /** `root` only on a second directory listed under a namespace another one holds (refused it, in error). */
  | {kind: 'project'; namespace: string; root?: string}
  | {kind: 'group'; namespace: string; group: ItemGroup}
  | {kind: 'task' | 'schedule' | 'service'; namespace: string; name: string}
  /** The other nodes' heading (with a backend), listed after the projects, a node under it, and a service of that node under the node. */
  | {kind: 'nodes'}
  | {kind: 'node'; node: string}
  | {kind: 'remote'; node: string; namespace: string; name: string}
  /** The code sessions' heading, listed after the projects, and one session under it. */
  | {kind: 'sessions'}
  | {kind: 'session'; id: string};

export type ItemGroup = 'tasks' | 'schedules' | 'services';
export type ItemKind = 'task' | 'schedule' | 'service';
export type ItemSelection = Extract<Selection, {kind: ItemKind}>;

/** A stable key for a tree row: selections survive updates and re-sorting by key, not by index. */
export function selectionKey(selection: Selection): string {
  switch (selection.kind) {
    case 'project':
      return selection.root === undefined ? selection.namespace : `${selection.namespace}@${selection.root}`;
    case 'group':
      return `${selection.namespace}/${selection.group}`;
    // A namespace holds no ':', so these never meet a project's keys.
    case 'nodes':
      return ':nodes';
    case 'node':
      return `:node:${selection.node}`;
    case 'remote':
      return `:node:${selection.node}:${selection.namespace}/${selection.name}`;
    case 'sessions':
      return ':sessions';
    case 'session':
      return `:session:${selection.id}`;
    default:
      return `${selection.namespace}/${selection.kind}:${selection.name}`;
  }
}

/** "reports/api", as the CLI addresses it. */
export function itemAddress(selection: ItemSelection): string {
  return `${selection.namespace}/${selection.name}`;
}

export function isItem(selection: Selection | null): selection is ItemSelection {
  return selection !== null && (selection.kind === 'task' || selection.kind === 'schedule' || selection.kind === 'service');
}
