import {describe, expect, it} from 'vitest';
import {FatalError, task} from '../../src/sdk/index.js';
import {isFatalError, isTaskDefinition, TASK_BRAND} from '../../src/sdk/brand.js';

describe('task()', () => {
  it('returns a frozen, branded value holding the options and the function', () => {
    const fn = (input: {id: number}) => input.id;
    const definition = task({name: 'build', ram: '512MB', lock: 'report:{id}'}, fn);
    expect(isTaskDefinition(definition)).toBe(true);
    expect(definition[TASK_BRAND]).toBe(true);
    expect(definition.options).toEqual({name: 'build', ram: '512MB', lock: 'report:{id}'});
    expect(definition.run).toBe(fn);
    expect(Object.isFrozen(definition)).toBe(true);
    expect(Object.isFrozen(definition.options)).toBe(true);
  });

  it('takes the function alone, with no options', () => {
    expect(task(() => 1).options).toEqual({});
  });

  it('is recognised across copies of the SDK by its registered symbol', () => {
    expect(isTaskDefinition({[Symbol.for('capsule.task')]: true, options: {}, run: () => 1})).toBe(true);
    expect(isTaskDefinition({options: {}, run: () => 1})).toBe(false);
    expect(isTaskDefinition(null)).toBe(false);
  });

  it('says what it expected when called wrongly', () => {
    expect(() => task(null as never, () => 1)).toThrow('task(options, fn): expected an options object, got null');
    expect(() => task({}, 'run' as never)).toThrow('task(options, fn): expected a function as the second argument, got string');
  });
});

describe('FatalError', () => {
  it('is an Error named FatalError, recognised by its brand', () => {
    const error = new FatalError('no retry', {cause: 'bad input'});
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({name: 'FatalError', message: 'no retry', cause: 'bad input'});
    expect(isFatalError(error)).toBe(true);
    expect(isFatalError(new Error('plain'))).toBe(false);
    expect(isFatalError({[Symbol.for('capsule.fatalError')]: true})).toBe(true);
  });
});
