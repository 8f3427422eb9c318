import {describe, expect, it} from 'vitest';
import {ARGUMENT_NAMES, completionCandidates, completionPosition, namesWanted, type CommandSpec, type LiveNames} from '../../../src/cli/completion/candidates.js';
import {COMMANDS} from '../../../src/commands/index.js';

const flag = (name: string, options: Partial<CommandSpec['flags'][number]> = {}) => ({name, takesValue: false, allowNo: false, ...options});
const COMMAND_TABLE: CommandSpec[] = [
  {id: 'run', flags: [flag('input', {takesValue: true, char: 'i'}), flag('detach', {char: 'd'}), flag('autostart', {allowNo: true}), flag('json')], args: [undefined]},
  {id: 'runs', flags: [], args: [undefined]},
  {id: 'restart', flags: [], args: [undefined]},
  {id: 'schedule:next', flags: [flag('count', {takesValue: true})], args: [undefined]},
  {id: 'schedule:pause', flags: [], args: [undefined]},
  {id: 'schedules', flags: [], args: [undefined]},
  {id: 'daemon:stop', flags: [flag('timeout', {takesValue: true})], args: []},
  {id: 'completion', flags: [], args: [['bash', 'zsh', 'fish']]},
  {id: 'help', flags: [], args: [undefined]},
  {id: 'exec', flags: [flag('file', {takesValue: true})], args: [undefined, undefined]},
  {id: 'session:close', flags: [], args: [undefined]},
];
const NAMES: LiveNames = {namespace: ['shop'], task: ['shop/fetch_stock', 'shop/ship'], service: ['shop/api'], schedule: ['shop/poll'], run: ['run_01', 'run_02'], session: ['ses_0a1b']};

/** What completing the last word gives, with the daemon's names. */
function complete(...words: string[]): string[] {
  return completionCandidates(completionPosition(words, COMMAND_TABLE), words.at(-1)!, COMMAND_TABLE, NAMES);
}

describe('completion candidates', () => {
  it('completes commands and topics one word at a time, with spaces between them', () => {
    expect(complete('')).toEqual(['run', 'runs', 'restart', 'schedule', 'schedules', 'daemon', 'completion', 'help', 'exec', 'session']);
    expect(complete('sche')).toEqual(['schedule', 'schedules']);
    expect(complete('schedule', '')).toEqual(['next', 'pause']);
    expect(complete('schedule', 'n')).toEqual(['next']);
    expect(complete('help', 'daemon', '')).toEqual(['stop']);
  });

  it("completes the command's flags, --no- forms and --help", () => {
    expect(complete('run', '--')).toEqual(['--input', '--detach', '--autostart', '--no-autostart', '--json', '--help']);
    expect(complete('run', 'shop/ship', '--d')).toEqual(['--detach']);
    expect(complete('schedule', 'next', '--c')).toEqual(['--count']);
  });

  it('completes the names the first argument takes, and only those', () => {
    expect(complete('run', '')).toEqual(['shop/fetch_stock', 'shop/ship']);
    expect(complete('run', 'shop/f')).toEqual(['shop/fetch_stock']);
    expect(complete('restart', '')).toEqual(['shop/api', 'shop/poll', 'shop', 'run_01', 'run_02']);
    expect(complete('schedule', 'next', '')).toEqual(['shop/poll']);
    expect(complete('runs', 's')).toEqual(['shop/fetch_stock', 'shop/ship', 'shop']);
    expect(complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(complete('exec', '')).toEqual(['ses_0a1b']);
    expect(complete('session', 'close', 'ses')).toEqual(['ses_0a1b']);
  });

  it('skips flags and their values to find the argument, and completes no value it cannot know', () => {
    expect(complete('run', '--input', '{}', '')).toEqual(['shop/fetch_stock', 'shop/ship']);
    expect(complete('run', '-i', '{}', '-d', 'sh')).toEqual(['shop/fetch_stock', 'shop/ship']);
    expect(complete('run', '--input', '')).toEqual([]);
    // bash splits --input={} at "=".
    expect(complete('run', '--input', '=', '{}', '')).toEqual(['shop/fetch_stock', 'shop/ship']);
    expect(complete('run', '--input', '=', '')).toEqual([]);
    expect(complete('run', 'shop/ship', '')).toEqual([]);
    expect(complete('run', '--', '--')).toEqual([]);
  });

  it('asks the daemon only for the names the position takes', () => {
    const wanted = (...words: string[]) => namesWanted(completionPosition(words, COMMAND_TABLE));
    expect(wanted('')).toEqual([]);
    expect(wanted('run', '--')).toEqual([]);
    expect(wanted('run', '')).toEqual(['task']);
    expect(wanted('restart', 'x')).toEqual(['service', 'schedule', 'namespace', 'run']);
    expect(wanted('run', 'shop/ship', '')).toEqual([]);
  });

  it('completes nothing after a word that is no command', () => {
    expect(complete('sevices', '')).toEqual([]);
    expect(complete('--json', '')).toEqual([]);
  });

  it('names only commands the table has', () => {
    expect(Object.keys(ARGUMENT_NAMES).filter((id) => !(id in COMMANDS))).toEqual([]);
  });
});
