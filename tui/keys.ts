import type {SelectedItem} from './state/item.js';

/** Every key of the dashboard, in the order the help screen lists them. */
export const KEYS: readonly {keys: string; action: string}[] = [
  {keys: '↑ ↓  j k', action: 'move (in the tree, a detail list, the log or the board)'},
  {keys: 'PgUp PgDn  g G', action: 'move a page, to the top, to the bottom'},
  {keys: '← →', action: 'fold / unfold a namespace or group (board: change column)'},
  {keys: 'Enter', action: 'focus the details (pick a run or a config value)'},
  {keys: 'Esc', action: 'back to the tree; close a prompt; clear the filter'},
  {keys: 'r', action: 'restart a service (another node\'s there) · trigger a schedule now · re-run a run'},
  {keys: 's', action: 'stop / start a service · close a code session'},
  {keys: 't', action: 'run the task (asks for JSON input, the last one prefilled)'},
  {keys: 'c', action: 'cancel a run (the picked one, or the task\'s active run) · interrupt a session\'s snippet'},
  {keys: 'p', action: 'pause / resume a schedule'},
  {keys: 'a', action: 'run one of a service\'s actions (asks for key=value arguments) · answer the question of the picked waiting run'},
  {keys: 'e', action: 'edit a service config value'},
  {keys: 'l', action: 'focus the log (↑ ↓ scroll, / search)'},
  {keys: 'f', action: 'follow the log on / off'},
  {keys: '/', action: 'filter the tree (in the log: search it)'},
  {keys: 'b', action: 'task board: runs of the namespace or task by status'},
  {keys: '?', action: 'this help'},
  {keys: 'q  Ctrl-C', action: 'quit'},
];

export type KeyHint = [key: string, label: string];

/** The footer: the keys that do something for what is selected and focused, most useful first. */
export function footerHints(mode: 'main' | 'board' | 'help', focus: 'tree' | 'details' | 'logs', kind: SelectedItem['kind'] | null, answerable = false): KeyHint[] {
  const tail: KeyHint[] = [['?', 'help'], ['q', 'quit']];
  if (mode === 'help') return [['Esc', 'close'], ['q', 'quit']];
  if (focus === 'logs') return [['↑↓', 'scroll'], ['f', 'follow'], ['/', 'search'], ['G', 'end'], ['Esc', 'back'], ...tail];
  // The picked run asks a question: answering it comes first.
  const answer: KeyHint[] = answerable ? [['a', 'answer']] : [];
  if (mode === 'board') return [...answer, ['←→', 'column'], ['↑↓', 'card'], ['r', 're-run'], ['c', 'cancel'], ['l', 'log'], ['b', 'back'], ...tail];
  const move: KeyHint = focus === 'details' ? ['↑↓', 'pick'] : ['↑↓', 'move'];
  const byKind: Record<string, KeyHint[]> = {
    service: [['r', 'restart'], ['s', 'stop/start'], ['a', 'action'], ['e', 'edit config']],
    task: [['t', 'run'], ['r', 're-run'], ['c', 'cancel'], ['⏎', 'runs'], ['b', 'board']],
    schedule: [['r', 'trigger'], ['p', 'pause/resume'], ['t', 'run task'], ['b', 'board']],
    project: [['←→', 'fold'], ['b', 'board']],
    session: [['c', 'interrupt'], ['s', 'close']],
    sessions: [['←→', 'fold']],
    remote: [['r', 'restart there'], ['s', 'stop/start there']],
    node: [['←→', 'fold']],
    nodes: [['←→', 'fold']],
  };
  return [...answer, move, ...(kind ? byKind[kind]! : []), ['l', 'log'], ['/', 'filter'], ...tail];
}
