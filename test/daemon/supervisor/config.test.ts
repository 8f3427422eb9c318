import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {fixture, Harness, NODE, service, waitFor} from './harness.js';

const SECRET = 'hunter2-very-secret';

describe('config values, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  const declared = () =>
    service({
      command: [NODE, fixture('print-secret.js')],
      config: {token: {type: 'string', secret: true, description: 'API token'}, level: {type: 'integer', default: 1}, verbose: {type: 'boolean', default: false}},
      stop_timeout: '2s',
    });

  it('applies a secret by restart and never shows it in config output, logs or audit', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: declared()});
    await waitFor('first start', async () => (await h.logText('app', 'svc')).includes('token-length=0'));
    const firstPid = supervisor.snapshot('app', 'svc').pid;

    const result = await supervisor.configSet('app', 'svc', 'token', SECRET);

    expect(result).toEqual({entry: {key: 'token', type: 'string', value: '***', default: null, overridden: true, description: 'API token', secret: true}, previous: null, delivery: 'restart'});
    await waitFor('restarted with the secret', async () => (await h.logText('app', 'svc')).includes(`token-length=${SECRET.length}`));
    expect(supervisor.snapshot('app', 'svc').pid).not.toBe(firstPid);
    expect(supervisor.configGet('app', 'svc', 'token').value).toBe('***');
    expect(supervisor.configList('app', 'svc').map((entry) => [entry.key, entry.value, entry.overridden])).toEqual([
      ['token', '***', true],
      ['level', 1, false],
      ['verbose', false, false],
    ]);
    const log = await h.logText('app', 'svc');
    expect(log).toContain('stdout token=***');
    expect(log).not.toContain(SECRET);
    expect((await supervisor.logs('app', 'svc', {tail: 100})).some((line) => line.text.includes(SECRET))).toBe(false);
    expect(JSON.stringify(h.events)).not.toContain(SECRET);
    expect(h.eventsOf('config')).toEqual([expect.objectContaining({target: 'app/svc', details: {key: 'token', from: null, to: '***', delivery: 'restart'}})]);
    expect(h.eventsOf('restart')[0]?.details).toMatchObject({cause: 'config'});
    // Stored unmasked, for the service.
    expect(h.persistence.configValues.get('app/svc')).toEqual({token: SECRET});
  });

  it('validates values against the declaration', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: declared()});

    await expect(supervisor.configSet('app', 'svc', 'level', 'high')).rejects.toMatchObject({code: 'bad_input', message: 'config level of app/svc must be an integer, got "high"'});
    await expect(supervisor.configSet('app', 'svc', 'verbose', 'yes')).rejects.toMatchObject({code: 'bad_input', hint: 'write true or false'});
    await expect(supervisor.configSet('app', 'svc', 'levl', '2')).rejects.toMatchObject({code: 'not_found', hint: 'did you mean "level"?'});
    expect(() => supervisor.configGet('app', 'svc', 'nope')).toThrow(expect.objectContaining({code: 'not_found'}));
    expect(() => supervisor.configList('app', 'svcc')).toThrow(expect.objectContaining({code: 'not_found', hint: 'did you mean "app/svc"?'}));
    expect(h.eventsOf('config')).toEqual([]);

    expect((await supervisor.configSet('app', 'svc', 'level', '3')).entry).toMatchObject({value: 3, overridden: true});
    expect((await supervisor.configSet('app', 'svc', 'level', 3)).delivery).toBe('unchanged');
  });

  it('delivers live through the onConfigChange hook when it accepts, without a restart', async () => {
    const changes: unknown[] = [];
    const supervisor = h.supervisor({
      onConfigChange: (change) => {
        changes.push(change);
        return true;
      },
    });
    await supervisor.setProjectServices('app', h.dir, {svc: declared()});
    await waitFor('running', () => supervisor.snapshot('app', 'svc').pid !== null);
    const pid = supervisor.snapshot('app', 'svc').pid;
    expect((await supervisor.configSet('app', 'svc', 'level', '7')).delivery).toBe('live');
    expect(changes).toEqual([{namespace: 'app', name: 'svc', key: 'level', value: 7, values: {level: 7, verbose: false}}]);
    expect(supervisor.snapshot('app', 'svc').pid).toBe(pid);
  });

  it('keeps a value for the next start of a stopped service, and loads stored values', async () => {
    h.persistence.configValues.set('app/svc', {token: 'stored-before-start'});
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: service({...{command: [NODE, fixture('print-secret.js')]}, autostart: false, config: {token: {type: 'string', secret: true}, level: {type: 'integer'}}})});
    expect(supervisor.configGet('app', 'svc', 'token')).toMatchObject({value: '***', overridden: true});
    expect((await supervisor.configSet('app', 'svc', 'level', '2')).delivery).toBe('stored');
    await supervisor.start('app', 'svc');
    await waitFor('started with the stored token', async () => (await h.logText('app', 'svc')).includes(`token-length=${'stored-before-start'.length}`));
  });
  it('restarts, rather than delivering live, for a key the command or env refers to, and fills it in anew', async () => {
    const changes: unknown[] = [];
    const supervisor = h.supervisor({
      onConfigChange: (change) => {
        changes.push(change);
        return true;
      },
    });
    const svc = service({
      command: [NODE, fixture('print-env.js'), 'LEVEL', 'NAME'],
      env: {LEVEL: 'level-{config.level}', NAME: '{config.name}'},
      config: {level: {type: 'integer', default: 1}, name: {type: 'string', default: 'x'}, other: {type: 'integer', default: 0}},
      stop_timeout: '2s',
    });
    await supervisor.setProjectServices('app', h.dir, {svc});
    await waitFor('first start', async () => (await h.logText('app', 'svc')).includes('LEVEL=level-1'));
    const pid = supervisor.snapshot('app', 'svc').pid;
    expect((await supervisor.configSet('app', 'svc', 'other', '5')).delivery).toBe('live');
    expect((await supervisor.configSet('app', 'svc', 'level', '2')).delivery).toBe('restart');
    await waitFor('restarted with the new value', async () => (await h.logText('app', 'svc')).includes('LEVEL=level-2'));
    expect(supervisor.snapshot('app', 'svc').pid).not.toBe(pid);
    expect(changes).toHaveLength(1);

    const unset = await supervisor.configUnset('app', 'svc', 'level');
    expect(unset).toMatchObject({entry: {value: 1, overridden: false}, previous: 2, delivery: 'restart'});
    await waitFor('back to the default', async () => (await h.logText('app', 'svc')).split('LEVEL=level-1').length === 3);
    expect(h.eventsOf('config').at(-1)?.details).toEqual({key: 'level', from: 2, to: 1, delivery: 'restart', unset: true});
    expect((await supervisor.configUnset('app', 'svc', 'name')).delivery).toBe('unchanged');
    expect(h.persistence.configValues.get('app/svc')).toEqual({other: 5});
  });

  it('refuses to unset a required key, and does not start a service whose reference has no value', async () => {
    const supervisor = h.supervisor();
    const svc = service({command: [NODE, fixture('print-env.js'), '{config.token}'], config: {token: {type: 'string'}}, stop_timeout: '2s'});
    await supervisor.setProjectServices('app', h.dir, {svc});
    await waitFor('failed', () => supervisor.snapshot('app', 'svc').state === 'failed');
    expect(supervisor.snapshot('app', 'svc').reason).toBe('no value for config token (referenced as {config.token}): set it with `capsule config set app/svc token VALUE`');
    await expect(supervisor.configUnset('app', 'svc', 'token')).rejects.toMatchObject({code: 'bad_input', message: 'config token of app/svc is required: it has no default, and the service refers to it as {config.token}'});
    await expect(supervisor.configUnset('app', 'svc', 'tokn')).rejects.toMatchObject({code: 'not_found', hint: 'did you mean "token"?'});
  });
});
