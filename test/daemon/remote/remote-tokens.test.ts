import {mkdtemp, readFile, rm, stat} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {SecretBox} from '../../../daemon/core/secret-box.js';
import {RemoteTokens} from '../../../daemon/remote/remote-tokens.js';

let dir: string;
const box = new SecretBox(Buffer.alloc(32, 7));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsule-remote-tokens-'));
});

afterEach(async () => {
  await rm(dir, {recursive: true, force: true});
});

describe('RemoteTokens', () => {
  it('issues a token, keeps it sealed beside its hash (mode 0600) and gives it back after a restart', async () => {
    const file = join(dir, 'remote-tokens.json');
    const tokens = await RemoteTokens.open(file, box);
    expect(tokens.current('shop/edge')).toBeUndefined();
    const issued = await tokens.issue('shop/edge', Date.parse('2026-12-01T00:00:00Z'), null);
    expect(issued).toMatchObject({issuedAt: '2026-12-01T00:00:00.000Z', expiresAt: null});
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(issued.secret);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const reopened = await RemoteTokens.open(file, box);
    expect(reopened.current('shop/edge')?.secret).toBe(issued.secret);
    expect(() => reopened.check('shop/edge', issued.secret, Date.now())).not.toThrow();
  });

  it('refuses an unknown service, a wrong or rotated secret, a revoked and an expired token, each saying which', async () => {
    const tokens = await RemoteTokens.open(join(dir, 'remote-tokens.json'), box);
    const now = Date.parse('2026-12-01T00:00:00Z');
    expect(() => tokens.check('shop/edge', 'x', now)).toThrow(/no token was issued for shop\/edge/);
    const first = await tokens.issue('shop/edge', now, 60_000);
    expect(() => tokens.check('shop/edge', `${first.secret}x`, now)).toThrow(/not shop\/edge's current one/);
    expect(() => tokens.check('shop/edge', first.secret, now + 60_000)).toThrow(/the token of shop\/edge expired at 2026-12-01 00:01:00 UTC/);
    const second = await tokens.issue('shop/edge', now, null);
    expect(() => tokens.check('shop/edge', first.secret, now)).toThrow(/not shop\/edge's current one/);
    expect(await tokens.revoke('shop/edge', now)).toBe(true);
    expect(await tokens.revoke('shop/edge', now)).toBe(false);
    expect(() => tokens.check('shop/edge', second.secret, now)).toThrow(/the token of shop\/edge was revoked at 2026-12-01 00:00:00 UTC/);
    expect(tokens.current('shop/edge')).toBeUndefined();
  });

  it('keeps every change of concurrent issues', async () => {
    const file = join(dir, 'remote-tokens.json');
    const tokens = await RemoteTokens.open(file, box);
    const names = Array.from({length: 20}, (_, index) => `shop/svc${index}`);
    await Promise.all(names.map((name) => tokens.issue(name, Date.now(), null)));
    const reopened = await RemoteTokens.open(file, box);
    expect(names.filter((name) => reopened.current(name) === undefined)).toEqual([]);
  });
});
