import {beginsCommand, commandPaths, isTopic, namesUnder} from '../command-paths.js';

/**
 * What a shell completes for a capsule command line: the pure part, given the command table and
 * the names the daemon knows (src/cli/completion/live.ts fetches them).
 */

export interface FlagSpec {
  name: string;
  takesValue: boolean;
  /** `--no-NAME` too. */
  allowNo: boolean;
  char?: string | undefined;
  /** The values it takes, when it names them. */
  options?: readonly string[] | undefined;
}

export interface CommandSpec {
  /** oclif's id: "schedule:next". */
  id: string;
  flags: readonly FlagSpec[];
  /** The values each positional argument takes, in order, when it names them. */
  args: readonly (readonly string[] | undefined)[];
}

export type NameKind = 'namespace' | 'task' | 'service' | 'schedule' | 'run' | 'session';

/** What each command's first argument names, the kinds a completion offers for it. */
export const ARGUMENT_NAMES: Readonly<Record<string, readonly NameKind[]>> = {
  run: ['task'],
  restart: ['service', 'schedule', 'namespace', 'run'],
  stop: ['service', 'schedule', 'namespace', 'run'],
  start: ['service', 'schedule', 'namespace', 'run'],
  logs: ['service', 'task', 'namespace', 'run'],
  runs: ['task', 'namespace'],
  audit: ['service', 'task', 'schedule', 'namespace'],
  describe: ['service', 'task', 'schedule'],
  delete: ['service'],
  show: ['run'],
  cancel: ['run'],
  signal: ['run'],
  answer: ['run'],
  list: ['namespace'],
  schedules: ['namespace'],
  services: ['namespace'],
  'project:remove': ['namespace'],
  'project:reload': ['namespace'],
  'schedule:next': ['schedule'],
  'schedule:pause': ['schedule'],
  'schedule:resume': ['schedule'],
  'schedule:trigger': ['schedule'],
  scale: ['service'],
  reload: ['service'],
  action: ['service'],
  'config:get': ['service'],
  'config:list': ['service'],
  'config:set': ['service'],
  'config:unset': ['service'],
  'service:token': ['service'],
  exec: ['session'],
  'session:close': ['session'],
  'session:interrupt': ['session'],
  'session:repl': ['session'],
};

/** The daemon's names, each as a command takes it: `ns`, `ns/name` (or `name` in its project's directory), `run_…`, `ses_…`. */
export type LiveNames = Readonly<Record<NameKind, readonly string[]>>;

export const NO_NAMES: LiveNames = {namespace: [], task: [], service: [], schedule: [], run: [], session: []};

/** Where the word being completed stands: what kind of thing goes there. */
export type Position =
  | {kind: 'command'; topic: readonly string[]}
  | {kind: 'flag'; command: CommandSpec}
  | {kind: 'flag-value'; flag: FlagSpec}
  | {kind: 'argument'; command: CommandSpec; index: number}
  | {kind: 'none'};

/**
 * Where the last of `words` (the command line after the program's name, up to the cursor; the
 * last one is the word being completed, maybe empty) stands. A shell that splits `--in=10m` at
 * "=" (bash) passes "=" as a word of its own: the value is the flag's.
 */
export function completionPosition(words: readonly string[], commands: readonly CommandSpec[]): Position {
  const typed = words.slice(0, -1);
  const current = words.at(-1) ?? '';
  const paths = commandPaths(commands.map((command) => command.id));
  const path: string[] = [];
  let index = 0;
  let command: CommandSpec | undefined;
  while (index < typed.length && command === undefined) {
    const word = typed[index]!;
    if (word.startsWith('-') || !beginsCommand(paths, [...path, word])) break;
    path.push(word);
    index++;
    command = commands.find((candidate) => candidate.id === path.join(':'));
  }
  if (command === undefined) {
    // A command is still to be named: only its words complete (`capsule sched<TAB>`, `capsule schedule <TAB>`).
    if (index < typed.length || current.startsWith('-')) return {kind: 'none'};
    return {kind: 'command', topic: path};
  }
  if (command.id === 'help') return index === typed.length && !current.startsWith('-') ? {kind: 'command', topic: []} : helpPosition(typed.slice(index), current, paths);
  let positional = 0;
  let onlyArguments = false;
  let awaiting: FlagSpec | undefined;
  for (let at = index; at < typed.length; at++) {
    const word = typed[at]!;
    if (onlyArguments || !word.startsWith('-') || word === '-') {
      positional++;
      continue;
    }
    if (word === '--') {
      onlyArguments = true;
      continue;
    }
    const flag = flagOf(command, word);
    if (!flag?.takesValue || word.includes('=')) continue;
    if (typed[at + 1] === '=') {
      at += 2;
      // The cursor is in the value after "=": bash would replace only its part after "=".
      if (at >= typed.length) return {kind: 'none'};
    } else if (at + 1 === typed.length) {
      awaiting = flag;
    } else {
      at++;
    }
  }
  if (current === '=') return {kind: 'none'};
  if (awaiting) return {kind: 'flag-value', flag: awaiting};
  if (!onlyArguments && current.startsWith('-')) return {kind: 'flag', command};
  return {kind: 'argument', command, index: positional};
}

/** The names a position needs from the daemon: none for commands and flags. */
export function namesWanted(position: Position): readonly NameKind[] {
  return position.kind === 'argument' && position.index === 0 ? (ARGUMENT_NAMES[position.command.id] ?? []) : [];
}

/** The candidates for the word being completed, `current`: those that start with it, one each. */
export function completionCandidates(position: Position, current: string, commands: readonly CommandSpec[], names: LiveNames = NO_NAMES): string[] {
  const all = ((): readonly string[] => {
    switch (position.kind) {
      case 'command':
        return namesUnder(commandPaths(commands.map((command) => command.id)), position.topic);
      case 'flag':
        return [...position.command.flags.flatMap((flag) => [`--${flag.name}`, ...(flag.allowNo ? [`--no-${flag.name}`] : [])]), '--help'];
      case 'flag-value':
        return position.flag.options ?? [];
      case 'argument': {
        const options = position.command.args[position.index];
        if (options) return options;
        return namesWanted(position).flatMap((kind) => names[kind]);
      }
      case 'none':
        return [];
    }
  })();
  return [...new Set(all.filter((candidate) => candidate.startsWith(current)))];
}

/** `capsule help schedule <TAB>`: the words after help name a command as they would without it. */
function helpPosition(after: readonly string[], current: string, paths: readonly string[][]): Position {
  if (current.startsWith('-') || after.some((word) => word.startsWith('-'))) return {kind: 'none'};
  return isTopic(paths, after) ? {kind: 'command', topic: after} : {kind: 'none'};
}

function flagOf(command: CommandSpec, word: string): FlagSpec | undefined {
  const name = word.split('=')[0]!;
  if (name.startsWith('--')) return command.flags.find((flag) => flag.name === name.slice(2) || (flag.allowNo && `no-${flag.name}` === name.slice(2)));
  return name.length === 2 ? command.flags.find((flag) => flag.char === name[1]) : undefined;
}


