import {randomBytes} from 'node:crypto';
import {describe, expect, test} from 'vitest';
import {isSealed, SecretBox} from '../../../daemon/core/secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  test('seals each value of every type so that only its key opens it', () => {
    for (const value of ['hunter2', 8080, true, '']) {
      const sealed = box.seal(value);
      expect(isSealed(sealed)).toBe(true);
      expect(JSON.stringify(sealed)).not.toContain(String(value) || '""""');
      expect(box.open(sealed)).toBe(value);
    }
    // A fresh IV each time: equal secrets do not look equal at rest.
    expect(box.seal('same').sealed).not.toBe(box.seal('same').sealed);
  });

  test('another key, a damaged or a foreign value opens to nothing', () => {
    const sealed = box.seal('hunter2');
    expect(new SecretBox(randomBytes(32)).open(sealed)).toBeUndefined();
    const body = sealed.sealed;
    const flipped = `${body.slice(0, -2)}${body.at(-2) === 'A' ? 'B' : 'A'}${body.at(-1)}`;
    expect(box.open({sealed: flipped})).toBeUndefined();
    expect(box.open({sealed: 'v1.short'})).toBeUndefined();
    expect(box.open({sealed: 'v9.whatever'})).toBeUndefined();
    expect(isSealed('hunter2')).toBe(false);
  });
});
