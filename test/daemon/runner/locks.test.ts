import {describe, expect, it} from 'vitest';
import {LockTable} from '../../../daemon/runner/locks.js';

describe('LockTable', () => {
  it('gives a key to the first run and passes it on in order', () => {
    const locks = new LockTable();
    expect(locks.join('k', 'a')).toBe(true);
    expect(locks.join('k', 'b')).toBe(false);
    expect(locks.join('k', 'c')).toBe(false);
    expect(locks.join('other', 'd')).toBe(true);
    expect(locks.holder('k')).toBe('a');
    expect(locks.leave('k', 'a')).toBe('b');
    expect(locks.holds('k', 'b')).toBe(true);
    expect(locks.leave('k', 'b')).toBe('c');
    expect(locks.leave('k', 'c')).toBeUndefined();
    expect(locks.holder('k')).toBeUndefined();
  });

  it('lets a waiter leave without changing the holder', () => {
    const locks = new LockTable();
    locks.join('k', 'a');
    locks.join('k', 'b');
    locks.join('k', 'c');
    expect(locks.leave('k', 'b')).toBeUndefined();
    expect(locks.leave('k', 'a')).toBe('c');
    expect(locks.leave('k', 'nobody')).toBeUndefined();
  });
});

describe('LockTable with a long line', () => {
  it('keeps the holder while every waiter leaves, as a mass cancel does', () => {
    const locks = new LockTable();
    const count = 100_000;
    for (let index = 0; index < count; index++) locks.join('k', `r${index}`);
    const handedOver: string[] = [];
    for (let index = 1; index < count; index++) {
      const next = locks.leave('k', `r${index}`);
      if (next !== undefined) handedOver.push(next);
    }
    expect(handedOver).toEqual([]);
    expect(locks.holder('k')).toBe('r0');
    expect(locks.join('k', 'late')).toBe(false);
    expect(locks.leave('k', 'r0')).toBe('late');
  });
});
