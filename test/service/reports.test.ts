import {formatRemoteToken} from '../../src/protocol/remote-token.js';
import {describe, expect, it} from 'vitest';
import {reconnectDelay, RECONNECT_MAX_MS} from '../../src/service/reconnect.js';
import {Reports} from '../../src/service/reports.js';
import {agentIdentity} from '../../src/service/identity.js';
import {MAX_AGENT_METRICS} from '../../src/protocol/index.js';

describe('Reports', () => {
  it('sends only what changed since the last heartbeat, and everything again after a reconnect', () => {
    const reports = new Reports();
    expect(reports.take()).toEqual({});
    reports.setHealth({ok: true, detail: null});
    reports.setMetric('queue_depth', 3);
    reports.setMetric('errors', 0);
    expect(reports.take()).toEqual({health: {ok: true, detail: null}, metrics: {queue_depth: 3, errors: 0}});
    reports.setMetric('errors', 1);
    expect(reports.take()).toEqual({metrics: {errors: 1}});
    expect(reports.take()).toEqual({});
    reports.resendAll();
    expect(reports.take()).toEqual({health: {ok: true, detail: null}, metrics: {queue_depth: 3, errors: 1}});
  });

  it(`keeps at most ${MAX_AGENT_METRICS} metric names, and only finite numbers`, () => {
    const reports = new Reports();
    for (let index = 0; index < MAX_AGENT_METRICS; index++) reports.setMetric(`m${index}`, index);
    reports.setMetric('m0', 42);
    expect(() => reports.setMetric('one_more', 1)).toThrow(/at most 100 names/);
    expect(() => reports.setMetric('m1', Number.POSITIVE_INFINITY)).toThrow(/finite number/);
    expect(() => reports.setMetric('9lives', 1)).toThrow(/invalid metric name/);
  });
});

describe('reconnectDelay', () => {
  it('doubles from 100ms up to its cap', () => {
    expect([0, 1, 2, 3].map(reconnectDelay)).toEqual([100, 200, 400, 800]);
    expect(reconnectDelay(30)).toBe(RECONNECT_MAX_MS);
  });
});

describe('agentIdentity', () => {
  it('reads the service, socket and token, and finds the home from the socket', () => {
    expect(agentIdentity({CAPSULE_SERVICE: 'app/api', CAPSULE_AGENT_SOCKET: '/h/run/daemon.sock', CAPSULE_AGENT_TOKEN: 'abc'})).toEqual({kind: 'local', service: 'app/api', socket: '/h/run/daemon.sock', token: 'abc', home: '/h'});
  });

  it('takes a remote service\'s token, from agent() or the environment, with the service it names', () => {
    const token = formatRemoteToken({address: {host: 'ops.example.com', port: 7700}, fingerprint: Array(32).fill('0A').join(':'), service: 'shop/edge', secret: 'x'.repeat(43)});
    expect(agentIdentity({CAPSULE_AGENT_TOKEN: token})).toMatchObject({kind: 'remote', service: 'shop/edge', token, url: undefined, remote: {address: {host: 'ops.example.com', port: 7700}}});
    expect(agentIdentity({CAPSULE_AGENT_URL: 'capsule://10.0.0.1:7700'}, {token})).toMatchObject({kind: 'remote', url: 'capsule://10.0.0.1:7700'});
    expect(() => agentIdentity({CAPSULE_AGENT_TOKEN: `${token.slice(0, 30)}`})).toThrow('the remote token is damaged');
    expect(() => agentIdentity({}, {url: 'capsule://h:1'})).toThrow("url \"capsule://h:1\" needs a remote service's token, got none");
  });

  it('names what is missing', () => {
    expect(() => agentIdentity({CAPSULE_SERVICE: 'app/api'})).toThrow("agent() runs inside a service that capsule started, or with a remote service's token: CAPSULE_AGENT_SOCKET, CAPSULE_AGENT_TOKEN are not set");
  });
});
