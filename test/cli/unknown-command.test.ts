import {describe, expect, it} from 'vitest';
import {namesCommand, renderUnknownCommand, unknownCommand, unknownCommandMessage} from '../../src/cli/unknown-command.js';
import {closeMatches} from '../../src/lib/suggest.js';

const IDS = ['services', 'schedules', 'schedule:next', 'schedule:pause', 'schedule:resume', 'schedule:trigger', 'project:add', 'project:remove', 'restart', 'run', 'runs', 'list'];

describe('unknown commands', () => {
  it('suggests the nearest command', () => {
    expect(unknownCommand(['sevices'], IDS)).toEqual({typed: 'sevices', topic: undefined, suggestions: ['services']});
  });

  it('compares a word under a topic with that topic’s commands, and says them with spaces', () => {
    expect(unknownCommand(['schedule', 'nxt', 'shop/poll'], IDS)).toEqual({typed: 'schedule nxt', topic: 'schedule', suggestions: ['schedule next']});
  });

  it('lists the nearest commands only, as git does; a misspelt topic keeps the command typed after it', () => {
    expect(unknownCommand(['schedul', 'next', 'shop/poll'], IDS).suggestions).toEqual(['schedule next']);
    expect(unknownCommand(['sevices'], [...IDS, 'service:token']).suggestions).toEqual(['services']);
    expect(unknownCommand(['stat'], ['start', 'state', 'stop']).suggestions).toEqual(['start', 'state']);
    expect(unknownCommand(['sched'], IDS).suggestions).toEqual(['schedule', 'schedules']);
  });

  it('suggests nothing for a word close to no command', () => {
    expect(unknownCommand(['xyzzy', 'a', 'b'], IDS)).toEqual({typed: 'xyzzy', topic: undefined, suggestions: []});
  });

  it('renders git’s shape, pointing at help', () => {
    expect(renderUnknownCommand('capsule', unknownCommand(['sevices'], IDS))).toBe('capsule: "sevices" is not a command. Did you mean "services"?\nSee `capsule help` for the list of commands.\n');
    expect(renderUnknownCommand('capsule', unknownCommand(['schedule', 'nxt'], IDS))).toContain('Did you mean "schedule next"?\nSee `capsule help schedule` for its commands.');
    expect(renderUnknownCommand('capsule', unknownCommand(['sched'], IDS))).toContain('Did you mean one of these?\n  capsule schedule\n  capsule schedules\n');
    expect(renderUnknownCommand('capsule', unknownCommand(['xyzzy'], IDS))).toContain('Nothing is close to it.');
    expect(unknownCommandMessage('capsule', unknownCommand(['xyzzy'], IDS))).toEqual({message: '"xyzzy" is not a command', hint: 'nothing is close to it; `capsule help` lists the commands'});
  });
});

describe('what help can show', () => {
  it('is a command with its arguments after it, or a topic, or a topic and one of its commands', () => {
    expect(namesCommand(['run', 'shop/x'], IDS)).toBe(true);
    expect(namesCommand(['schedule'], IDS)).toBe(true);
    expect(namesCommand(['schedule', 'next', 'shop/poll'], IDS)).toBe(true);
    expect(namesCommand(['schedule', 'nxt'], IDS)).toBe(false);
    expect(namesCommand(['sevices'], IDS)).toBe(false);
  });
});

describe('close matches', () => {
  it('lists the candidates within typo distance nearest first, else those the input begins', () => {
    expect(closeMatches('rn', ['runs', 'run', 'list'])).toEqual(['run']);
    expect(closeMatches('stat', ['stop', 'start', 'state'])).toEqual(['start', 'state']);
    expect(closeMatches('restrat', ['restart', 'reload', 'restart'])).toEqual(['restart']);
    expect(closeMatches('proj', ['projects', 'project', 'run'])).toEqual(['project', 'projects']);
    expect(closeMatches('zzzz', ['run', 'list'])).toEqual([]);
  });
});
