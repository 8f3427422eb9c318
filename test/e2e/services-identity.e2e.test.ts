/** Who may speak for a service, and who the audit trail says asked: never what a client claims. */
import {createHmac} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {userInfo} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {DaemonClient} from '../../src/client/client.js';
import {PROTOCOL_VERSION} from '../../src/protocol/index.js';
import {rawExchange, waitFor} from '../helpers/cli.js';
import {fixtureCommand, ServicesHome} from './services-harness.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

const SECRET = 'victim-secret-value-4242';

describe('agent registration', () => {
  it("refuses a process that read agent.key, or holds another service's token, and gives it no config", async () => {
    await s.project('victim', `[services.db]\n${fixtureCommand('agent-service.js')}\n\n[services.db.config.token]\ntype = "string"\nsecret = true\ndefault = "${SECRET}"\n`);
    await s.project('mallory', `[services.spy]\n${fixtureCommand('print-env.js', 'CAPSULE_AGENT_TOKEN')}\n`);
    const victim = await s.waitForService('victim/db', (service) => service.agent && service.pid !== null, 'to connect its agent');
    const spyLine = await waitFor(async () => (await s.ok(['logs', 'mallory/spy'])).match(/CAPSULE_AGENT_TOKEN=(\S+)/), {what: 'the spy to print its token'});

    // What anyone able to read the home could make before: an HMAC of the target under agent.key.
    const key = Buffer.from((await readFile(join(s.home.home, 'agent.key'), 'utf8')).trim(), 'hex');
    const forged = createHmac('sha256', key).update('victim/db').digest('hex');
    const client = await DaemonClient.connect({socket: join(s.home.home, 'run', 'daemon.sock'), home: s.home.home});
    try {
      for (const token of [forged, spyLine[1]!]) {
        // The pid the agent reports is the victim's own: it proves nothing either.
        const attempt = client.call('agent.register', {service: 'victim/db', token, pid: victim.pid!, version: 'evil', actions: []});
        const refusal = await attempt.then(
          (registration) => ({registered: JSON.stringify(registration)}),
          (error: {code: string; message: string}) => ({code: error.code, message: error.message}),
        );
        expect(refusal).toEqual({code: 'bad_request', message: "the agent token is not the one victim/db's running process was given"});
      }
    } finally {
      client.close();
    }
    const after = await s.service('victim/db');
    expect(after).toMatchObject({pid: victim.pid, agent: true});
    const connects = await s.events('victim/db', 'agent.connect');
    expect(connects.map((event) => event.details.version)).toEqual(['9.9.9']);
    expect(JSON.stringify(await s.audit())).not.toContain(SECRET);
  });
});

describe('the audit trail', () => {
  it("records who asked as the connection's OS user, whatever hello claims, and the daemon's own decisions as capsule", async () => {
    await s.project('ops', `[services.web]\n${fixtureCommand('sleeper.js')}\n\n[services.web.config.level]\ntype = "string"\ndefault = "info"\n`);
    await s.waitForService('ops/web', (service) => service.state === 'running', 'to run');
    const me = userInfo().username;
    const lines = [
      {id: 1, method: 'hello', params: {protocol: PROTOCOL_VERSION, client: 'raw', user: 'mallory'}},
      {id: 2, method: 'control.apply', params: {verb: 'stop', target: 'ops/web'}},
    ];
    const {replies} = await rawExchange(join(s.home.home, 'run', 'daemon.sock'), lines.map((line) => `${JSON.stringify(line)}\n`).join(''), 2);
    expect(replies).toMatchObject([{id: 1, ok: true}, {id: 2, ok: true}]);
    await s.ok(['start', 'ops/web']);
    await s.ok(['config', 'set', 'ops/web', 'level', 'debug']);

    const trail = (await s.audit('ops/web')).map((event) => [event.kind, event.actor, event.details.cause ?? null]);
    expect(trail).toEqual([
      ['service.start', 'capsule', 'autostart'],
      ['service.stop', me, 'operator'],
      ['control.stop', me, null],
      ['service.start', me, 'operator'],
      ['control.start', me, null],
      ['service.config', me, null],
      ['service.restart', me, 'config'],
      ['service.start', me, 'config'],
    ]);
    expect(trail.some(([, actor]) => actor === 'mallory')).toBe(false);
  });
});
