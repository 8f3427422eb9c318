import {describe, expect, it} from 'vitest';
import {CapsuleError} from '../../src/lib/errors.js';
import {actionArgNameProblem, parseActionArgLine, parseActionArgs} from '../../src/protocol/action-args.js';

const hint = 'e.g. scope=all';

function refusal(parse: () => unknown): CapsuleError {
  try {
    parse();
  } catch (error) {
    if (error instanceof CapsuleError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('action arguments', () => {
  it('take key=value pairs; the value may hold = and be empty', () => {
    expect(parseActionArgs(['scope=all', 'expr=a=b', 'empty=', 'dry-run=1'], {source: '--arg', hint})).toEqual({scope: 'all', expr: 'a=b', empty: '', 'dry-run': '1'});
  });

  it('refuse a pair without a key, or a name CAPSULE_ARG_<NAME> could not carry, saying where it came from', () => {
    const missing = refusal(() => parseActionArgs(['novalue'], {source: '--arg', hint}));
    expect(missing.code).toBe('bad_input');
    expect(missing.message).toBe('--arg expects key=value, got "novalue"');
    expect(missing.hint).toBe(hint);
    expect(refusal(() => parseActionArgs(['=x'], {source: '--arg', hint})).message).toBe('--arg expects key=value, got "=x"');
    expect(refusal(() => parseActionArgs(['9lives=yes'], {source: '--arg', hint})).message).toContain('invalid argument name "9lives"');
    expect(actionArgNameProblem('dry_run')).toBeUndefined();
    expect(actionArgNameProblem('-x')).toContain('"-x"');
  });

  it('read a line of space-separated pairs, quoted values keeping their spaces', () => {
    expect(parseActionArgLine('', hint)).toEqual({});
    expect(parseActionArgLine('  scope=all   note="two words" who=\'it is\' ', hint)).toEqual({scope: 'all', note: 'two words', who: 'it is'});
    expect(parseActionArgLine('empty=""', hint)).toEqual({empty: ''});
    expect(refusal(() => parseActionArgLine('note="open', hint)).message).toBe('the arguments have an unclosed ": close the quoted value');
    expect(refusal(() => parseActionArgLine('a=1 b', hint)).message).toBe('each argument expects key=value, got "b"');
  });
});
