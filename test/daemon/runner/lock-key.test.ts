import {describe, expect, it} from 'vitest';
import {lockFields, lockKey, parseLockTemplate} from '../../../daemon/runner/lock-key.js';
import {CapsuleError} from '../../../src/lib/errors.js';

function errorOf(action: () => unknown): CapsuleError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CapsuleError);
    return error as CapsuleError;
  }
  throw new Error('expected an error');
}

describe('lockKey', () => {
  it('fills placeholders from the input', () => {
    expect(lockKey('report:{id}', {id: 7})).toBe('report:7');
    expect(lockKey('user:{user.id}', {user: {id: 'ada'}})).toBe('user:ada');
    expect(lockKey('{kind}-{id}/{flag}', {kind: 'a', id: 1, flag: false})).toBe('a-1/false');
  });

  it('uses a template without placeholders as one key for every input', () => {
    expect(lockKey('global', 42)).toBe('global');
    expect(lockKey('global', undefined)).toBe('global');
  });

  it('names the template and the missing field', () => {
    const error = errorOf(() => lockKey('report:{id}', {name: 'x', size: 2}));
    expect(error.code).toBe('bad_input');
    expect(error.message).toBe('lock "report:{id}" needs field "id" in the input, got an input with only name, size');
    expect(error.hint).toContain('"id"');
    expect(errorOf(() => lockKey('user:{user.id}', {user: {}})).message).toContain('needs field "user.id"');
    expect(errorOf(() => lockKey('user:{user.id}', {user: 3})).message).toContain('needs field "user.id"');
  });

  it('refuses an input that is not an object', () => {
    for (const input of [7, 'x', null, [1], undefined]) {
      const error = errorOf(() => lockKey('report:{id}', input));
      expect(error.code).toBe('bad_input');
      expect(error.message).toMatch(/^lock "report:\{id\}" is filled from fields of the input, so the input must be an object, got /);
    }
    expect(errorOf(() => lockKey('report:{id}', 7)).message).toContain('got a number (7)');
  });

  it('refuses a field that is not a scalar', () => {
    expect(errorOf(() => lockKey('report:{id}', {id: {a: 1}})).message).toBe('lock "report:{id}" field "id" must be a string, number or boolean, got an object');
    expect(errorOf(() => lockKey('report:{id}', {id: null})).message).toContain('got null');
  });
});

describe('parseLockTemplate', () => {
  it('lists the fields a template reads', () => {
    expect(lockFields('a:{x}:{y.z}')).toEqual(['x', 'y.z']);
    expect(parseLockTemplate('a:{x}')).toEqual([{text: 'a:'}, {field: 'x'}]);
  });

  it('rejects malformed templates', () => {
    expect(errorOf(() => parseLockTemplate('')).message).toContain('it is empty');
    expect(errorOf(() => parseLockTemplate('report:{id')).message).toBe('invalid lock template "report:{id": it has an unmatched "{"');
    expect(errorOf(() => parseLockTemplate('report:id}')).message).toContain('unmatched "}"');
    expect(errorOf(() => parseLockTemplate('report:{}')).message).toContain('is not a field name');
    expect(errorOf(() => parseLockTemplate('report:{a b}')).code).toBe('config_invalid');
  });
});
