import {describe, expect, it} from 'vitest';
import {missingReferences, referencedConfigKeys, referenceProblems, resolveReferences, substituteConfig} from '../../src/config/config-refs.js';
import {serviceSchema, type ConfigKeyDeclaration} from '../../src/config/services.js';

const declared = (secret = false): ConfigKeyDeclaration => ({type: 'integer', default: null, secret, description: null}) as ConfigKeyDeclaration;

describe('substituteConfig', () => {
  it('fills each reference with its value and leaves other braces as written', () => {
    expect(substituteConfig('http://127.0.0.1:{config.port}/h?x={config.port}', {port: 8080})).toBe('http://127.0.0.1:8080/h?x=8080');
    expect(substituteConfig('echo ${HOME} {"a":1} {port}', {port: 1})).toBe('echo ${HOME} {"a":1} {port}');
    expect(substituteConfig('--verbose={config.debug}', {debug: false})).toBe('--verbose=false');
  });

  it('writes {{config.KEY}} as the text {config.KEY}, and keeps a reference without a value as written', () => {
    expect(substituteConfig('{{config.port}} is {config.port}', {port: 1})).toBe('{config.port} is 1');
    expect(substituteConfig('--token={config.token}', {})).toBe('--token={config.token}');
  });
});

describe('referenceProblems', () => {
  it('names an undeclared key with the nearest declared one', () => {
    expect(referenceProblems('{config.prot}', {port: declared()}, true)).toEqual([{message: expect.stringContaining('{config.prot} refers to an undeclared config key'), suggestion: '{config.port}'}]);
    expect(referenceProblems('{config.zzz}', {port: declared()}, true)[0]!.message).toContain('the declared ones: port');
    expect(referenceProblems('{{config.zzz}}', {}, true)).toEqual([]);
  });

  it('refuses a secret where ps shows it, and takes it in env', () => {
    expect(referenceProblems('--token={config.token}', {token: declared(true)}, true)[0]!.message).toContain('is a secret');
    expect(referenceProblems('{config.token}', {token: declared(true)}, false)).toEqual([]);
  });

  it('refuses a malformed key', () => {
    expect(referenceProblems('{config.a-b}', {}, false)[0]!.message).toContain('is not a config reference');
  });
});

describe('a service with references', () => {
  const service = serviceSchema.parse({
    command: ['server', '--port', '{config.port}'],
    env: {TOKEN: '{config.token}', LITERAL: '{{config.port}}'},
    health: {http: 'http://127.0.0.1:{config.port}/health'},
    config: {port: {type: 'integer', default: 8080}, token: {type: 'string', secret: true}},
  });

  it('is resolved from the values of now, and says which referenced keys have none', () => {
    expect([...referencedConfigKeys(service)].sort()).toEqual(['port', 'token']);
    expect(missingReferences(service, {port: 8080})).toEqual(['token']);
    const resolved = resolveReferences(service, {port: 9090, token: 's3cret'});
    expect(resolved.command).toEqual(['server', '--port', '9090']);
    expect(resolved.env).toEqual({TOKEN: 's3cret', LITERAL: '{config.port}'});
    expect(resolved.health?.probe).toEqual({kind: 'http', url: 'http://127.0.0.1:9090/health', expectStatus: null});
  });

  it('is checked at load, each problem at its field', () => {
    const result = serviceSchema.safeParse({
      command: 'server --port {config.prot}',
      health: {exec: ['check', '{config.token}']},
      config: {port: {type: 'integer'}, token: {type: 'string', secret: true}},
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({path: ['command'], params: {suggestion: '{config.port}'}}),
      expect.objectContaining({path: ['health', 'exec', 1], message: expect.stringContaining('is a secret')}),
    ]);
  });
});
