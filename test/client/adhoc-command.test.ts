import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {adhocRequest, deriveName, parseEnv} from '../../src/client/adhoc-command.js';

let dir: string;
const path = process.env.PATH;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'adhoc-cli-'));
  await writeFile(join(dir, 'My Server.js'), '');
});

afterAll(async () => {
  await rm(dir, {recursive: true, force: true});
});

describe('capsule start --name … -- CMD', () => {
  it('resolves the program in PATH and the cwd from where it was typed', () => {
    const request = adhocRequest(['node', 'app.js'], {name: 'web', cwd: '.', env: ['A=1']}, {cwd: dir, path});
    expect(request).toEqual({name: 'web', derivedName: false, command: [expect.stringMatching(/\/node$/), 'app.js'], cwd: dir, env: {A: '1'}, restart: null, health: null});
  });

  it('names the service after its script, else its program, as pm2 does', () => {
    expect(deriveName(['node', 'My Server.js'], dir)).toBe('my-server');
    expect(deriveName(['/usr/bin/python3', '-m', 'http.server'], dir)).toBe('python3');
  });

  it('takes env values literally', () => {
    expect(parseEnv(['URL=postgres://u:p@h/db?a=b', 'EMPTY='])).toEqual({URL: 'postgres://u:p@h/db?a=b', EMPTY: ''});
    expect(() => parseEnv(['1BAD=x'])).toThrow('--env "1BAD=x"');
  });

  it('names the flag that is wrong', () => {
    const context = {cwd: dir, path};
    expect(() => adhocRequest(['node'], {name: 'Web', env: []}, context)).toThrow('--name "Web"');
    expect(() => adhocRequest(['node'], {name: 'w', restart: 'sometimes', env: []}, context)).toThrow('--restart "sometimes"');
    expect(() => adhocRequest(['node'], {name: 'w', health: 'tcp://x', env: []}, context)).toThrow('--health "tcp://x"');
    expect(() => adhocRequest(['node'], {name: 'w', cwd: 'missing', env: []}, context)).toThrow(`--cwd missing: no such directory (resolved to ${join(dir, 'missing')})`);
    expect(() => adhocRequest(['./nothing'], {name: 'w', env: []}, context)).toThrow('./nothing is not an executable file');
    expect(() => adhocRequest([], {name: 'w', env: []}, context)).toThrow('expected a command after --');
  });
});
