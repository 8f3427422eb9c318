import {describe, expect, it} from 'vitest';
import {formatRemoteToken, parseAddress, parseRemoteToken, TOKEN_PREFIX, type RemoteToken} from '../../src/protocol/remote-token.js';

const token: RemoteToken = {address: {host: 'ops.example.com', port: 7700}, fingerprint: Array(32).fill('AB').join(':'), service: 'shop/edge', secret: 's'.repeat(43)};

describe('the remote token', () => {
  it('round-trips, an IPv6 address included', () => {
    const text = formatRemoteToken(token);
    expect(text.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(parseRemoteToken(`  ${text}\n`)).toEqual(token);
    const v6 = {...token, address: {host: '::1', port: 7700}};
    expect(parseRemoteToken(formatRemoteToken(v6))).toEqual(v6);
    expect(parseAddress('[::1]:7700')).toEqual({host: '::1', port: 7700});
    expect(parseAddress('host:0')).toBeNull();
  });

  it('says what is wrong with one that is not, or is damaged', () => {
    expect(() => parseRemoteToken('abc')).toThrow(`expected a remote service's token (starting "${TOKEN_PREFIX}"), got "abc"`);
    expect(() => parseRemoteToken(`${TOKEN_PREFIX}%%%`)).toThrow('the remote token is damaged');
    expect(() => parseRemoteToken(formatRemoteToken(token).slice(0, 40))).toThrow('the remote token is damaged');
    expect(() => parseRemoteToken(formatRemoteToken({...token, fingerprint: 'AB'}))).toThrow("its daemon's certificate fingerprint is missing or malformed");
    expect(() => parseRemoteToken(formatRemoteToken({...token, service: 'edge'}))).toThrow('its service is missing or malformed');
  });
});
