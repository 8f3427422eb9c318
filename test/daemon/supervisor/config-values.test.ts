import {describe, expect, it} from 'vitest';
import {coerceConfigValue, configEntry, configEnvironment, declarationOf, effectiveValues, scrub, secretValues} from '../../../daemon/supervisor/config-values.js';
import type {ConfigKeyDeclaration} from '../../../src/config/services.js';

const declare = (type: ConfigKeyDeclaration['type'], extra: Partial<ConfigKeyDeclaration> = {}): ConfigKeyDeclaration => ({type, default: null, description: null, secret: false, ...extra});
const declarations = {port: declare('integer', {default: 8080}), ratio: declare('number'), debug: declare('boolean', {default: false}), token: declare('string', {secret: true, default: 'dflt-secret'})};

describe('coerceConfigValue', () => {
  it('parses text as the declared type', () => {
    expect(coerceConfigValue('app/api', 'port', declarations.port, '9090')).toBe(9090);
    expect(coerceConfigValue('app/api', 'ratio', declarations.ratio, '0.25')).toBe(0.25);
    expect(coerceConfigValue('app/api', 'debug', declarations.debug, 'true')).toBe(true);
    expect(coerceConfigValue('app/api', 'token', declarations.token, '42')).toBe('42');
    expect(coerceConfigValue('app/api', 'port', declarations.port, 7)).toBe(7);
  });

  it('says what was expected and what was got', () => {
    expect(() => coerceConfigValue('app/api', 'port', declarations.port, '80.5')).toThrow(expect.objectContaining({code: 'bad_input', message: 'config port of app/api must be an integer, got "80.5"', hint: 'write a whole number such as 8080'}));
    expect(() => coerceConfigValue('app/api', 'debug', declarations.debug, 'yes')).toThrow(expect.objectContaining({message: 'config debug of app/api must be a boolean, got "yes"', hint: 'write true or false'}));
    expect(() => coerceConfigValue('app/api', 'ratio', declarations.ratio, '')).toThrow('must be a number');
  });

  it('never echoes a rejected secret', () => {
    const pin = declare('integer', {secret: true});
    expect(() => coerceConfigValue('app/api', 'pin', pin, 'hunter2')).toThrow(expect.objectContaining({message: 'config pin of app/api must be an integer, got a value that is not one'}));
  });
});

describe('declarationOf', () => {
  it('suggests the key that was meant', () => {
    expect(() => declarationOf('app/api', declarations, 'portt')).toThrow(expect.objectContaining({code: 'not_found', message: 'app/api declares no config key "portt"', hint: 'did you mean "port"?'}));
  });
});

describe('entries and values', () => {
  it('shows the effective value and its source, masking secrets', () => {
    const stored = {port: 9090, token: 'real-secret'};
    expect(configEntry('port', declarations.port, stored)).toEqual({key: 'port', type: 'integer', value: 9090, default: 8080, overridden: true, description: null, secret: false});
    expect(configEntry('debug', declarations.debug, stored)).toMatchObject({value: false, overridden: false});
    expect(configEntry('ratio', declarations.ratio, stored)).toMatchObject({value: null, overridden: false});
    expect(configEntry('token', declarations.token, stored)).toMatchObject({value: '***', default: '***', overridden: true, secret: true});
  });

  it('ignores a stored value that no longer fits its declaration', () => {
    expect(effectiveValues(declarations, {port: 'eighty', ratio: 1.5})).toEqual({port: 8080, ratio: 1.5, debug: false, token: 'dflt-secret'});
  });

  it('passes values as CAPSULE_CONFIG_<KEY>', () => {
    expect(configEnvironment({port: 80, debug: true})).toEqual({CAPSULE_CONFIG_PORT: '80', CAPSULE_CONFIG_DEBUG: 'true'});
  });

  it('scrubs secret values long enough to be recognised', () => {
    const secrets = secretValues({...declarations, pin: declare('string', {secret: true})}, {token: 'hunter22', pin: 'abc', port: 8080});
    expect(secrets).toContain('hunter22');
    expect(secrets.some((form) => form.includes('abc'))).toBe(false);
    expect(scrub('token=hunter22 and hunter22 again, abc', secrets)).toBe('token=*** and *** again, abc');
  });

  it('scrubs the common encodings of a secret too: JSON-escaped, URL-encoded, hex, base64 at any offset', () => {
    const secret = 'p@ss "w/ord"+é\\x';
    const secrets = secretValues(declarations, {token: secret});
    const json = JSON.stringify({token: secret});
    expect(scrub(json, secrets)).toBe('{"token":"***"}');
    expect(scrub(`https://x/?t=${encodeURIComponent(secret)}&n=1`, secrets)).toBe('https://x/?t=***&n=1');
    expect(scrub(`hex ${Buffer.from(secret).toString('hex')}.`, secrets)).toBe('hex ***.');
    for (const prefix of ['', 'u', 'us', 'user:']) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = Buffer.from(`${prefix}${secret}`).toString(encoding);
        const line = scrub(`Authorization: Basic ${encoded}`, secrets);
        expect(line, `${encoding} after ${JSON.stringify(prefix)}`).toContain('***');
        // At most one character straddling a neighbour's bits is left on each side of the mask.
        const left = line.slice('Authorization: Basic '.length, line.indexOf('***'));
        expect(left.length, `${encoding} after ${JSON.stringify(prefix)}`).toBeLessThanOrEqual(Math.ceil((prefix.length * 8) / 6));
        expect(line.length - line.indexOf('***') - 3).toBeLessThanOrEqual(3);
      }
    }
  });
});
