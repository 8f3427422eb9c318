import {describe, expect, it} from 'vitest';
import {serviceSchema} from '../../src/config/services.js';

const parse = (table: Record<string, unknown>) => serviceSchema.parse(table);
const issues = (table: Record<string, unknown>) => {
  const result = serviceSchema.safeParse(table);
  if (result.success) throw new Error('expected the table to be rejected');
  return result.error.issues;
};

describe('serviceSchema', () => {
  it('fills every default and normalises durations and sizes to numbers', () => {
    expect(parse({command: ['node', 'server.js']})).toEqual({
      remote: false,
      command: ['node', 'server.js'],
      cwd: null,
      env: {},
      envFile: null,
      description: null,
      version: null,
      autostart: true,
      restart: 'on-failure',
      backoff: {initialMs: 500, factor: 2, maxMs: 30_000},
      minUptimeMs: 10_000,
      maxRestarts: 5,
      restartWindowMs: 300_000,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 10_000,
      dependsOn: [],
      health: null,
      config: {},
      actions: {},
      logs: {maxSizeBytes: 10 * 1024 * 1024, keep: 3},
      maxMemoryBytes: null,
      instances: 1,
      port: null,
      watch: null,
    });
  });

  it('takes a full table', () => {
    const config = parse({
      command: 'python3 -m http.server 8080',
      cwd: 'web',
      env: {PORT: 8080, DEBUG: true, NAME: 'x'},
      env_file: '.env',
      restart: 'always',
      backoff: {initial: '1s', factor: 3, max: '1m'},
      min_uptime: '30s',
      max_restarts: 10,
      restart_window: '10m',
      stop_signal: 'SIGINT',
      stop_timeout: '3s',
      depends_on: ['db', {name: 'cache', condition: 'healthy'}],
      health: {http: 'http://127.0.0.1:8080/health', expect_status: 204, interval: '5s', timeout: '1s', failure_threshold: 2, initial_delay: '2s'},
      config: {port: {type: 'integer', default: 8080, description: 'listen port'}, token: {type: 'string', secret: true}},
      actions: {'rotate-keys': {command: ['./rotate.sh'], description: 'rotate'}, reindex: {description: 'done by the agent'}},
      logs: {max_size: '1MB', keep: 0},
      max_memory: '512MB',
    });
    expect(config.command).toBe('python3 -m http.server 8080');
    expect(config.env).toEqual({PORT: '8080', DEBUG: 'true', NAME: 'x'});
    expect(config.backoff).toEqual({initialMs: 1000, factor: 3, maxMs: 60_000});
    expect(config.dependsOn).toEqual([
      {name: 'db', condition: 'started'},
      {name: 'cache', condition: 'healthy'},
    ]);
    expect(config.health).toEqual({probe: {kind: 'http', url: 'http://127.0.0.1:8080/health', expectStatus: 204}, intervalMs: 5000, timeoutMs: 1000, failureThreshold: 2, initialDelayMs: 2000});
    expect(config.config).toEqual({
      port: {type: 'integer', default: 8080, description: 'listen port', secret: false},
      token: {type: 'string', default: null, description: null, secret: true},
    });
    expect(config.actions).toEqual({
      'rotate-keys': {command: ['./rotate.sh'], description: 'rotate', timeoutMs: 300_000},
      reindex: {command: null, description: 'done by the agent', timeoutMs: 300_000},
    });
    expect(config.logs).toEqual({maxSizeBytes: 1024 * 1024, keep: 0});
    expect(config.maxMemoryBytes).toBe(512 * 1024 * 1024);
    expect(config.stopSignal).toBe('SIGINT');
  });

  it('normalises each probe kind', () => {
    expect(parse({command: 'x', health: {tcp: '[::1]:5432'}}).health?.probe).toEqual({kind: 'tcp', host: '::1', port: 5432});
    expect(parse({command: 'x', health: {exec: ['pg_isready']}}).health?.probe).toEqual({kind: 'exec', argv: ['pg_isready']});
    expect(parse({command: 'x', health: {heartbeat: true}}).health?.probe).toEqual({kind: 'heartbeat'});
    expect(parse({command: 'x', health: {http: 'https://example.test/'}}).health?.probe).toEqual({kind: 'http', url: 'https://example.test/', expectStatus: null});
  });

  it('rejects unknown keys at every level, naming them', () => {
    expect(issues({command: 'x', comand: 'y'})).toEqual([expect.objectContaining({code: 'unrecognized_keys', keys: ['comand'], path: []})]);
    expect(issues({command: 'x', backoff: {inital: '1s'}})).toEqual([expect.objectContaining({code: 'unrecognized_keys', keys: ['inital'], path: ['backoff']})]);
    expect(issues({command: 'x', health: {http: 'http://a/', intervall: '1s'}})).toEqual([expect.objectContaining({keys: ['intervall'], path: ['health']})]);
    expect(issues({command: 'x', actions: {go: {command: 'y', args: 1}}})).toEqual([expect.objectContaining({keys: ['args'], path: ['actions', 'go']})]);
  });

  it('says what was expected for malformed values', () => {
    expect(issues({command: 'x', stop_timeout: 'soon'})[0]).toMatchObject({path: ['stop_timeout'], message: expect.stringContaining('invalid stop_timeout: expected a duration')});
    expect(issues({command: 'x', max_memory: 'lots'})[0]).toMatchObject({path: ['max_memory'], message: expect.stringContaining('expected a size')});
    expect(issues({command: 'x', restart: 'sometimes'})[0]?.path).toEqual(['restart']);
    expect(issues({command: 'x', stop_signal: 'TERM'})[0]).toMatchObject({path: ['stop_signal'], message: expect.stringContaining('"SIGTERM"')});
    expect(issues({command: []})[0]?.path).toEqual(['command']);
    expect(issues({command: '  '})[0]?.path).toEqual(['command']);
    expect(issues({command: 'x', health: {tcp: 'localhost'}})[0]).toMatchObject({path: ['health'], message: expect.stringContaining('"host:port"')});
    expect(issues({command: 'x', health: {http: 'ftp://a/'}})[0]?.path).toEqual(['health', 'http']);
    expect(issues({command: 'x', depends_on: [{name: 'db', condition: 'ready'}]})[0]?.path).toEqual(['depends_on', 0]);
  });

  it('takes instances from 1 to 64, and a port that leaves room for every instance', () => {
    expect(parse({command: 'x', instances: 4, port: 8000})).toMatchObject({instances: 4, port: 8000});
    expect(issues({command: 'x', instances: 0})[0]).toMatchObject({path: ['instances'], message: 'expected 1 to 64 instances'});
    expect(issues({command: 'x', instances: 65})[0]).toMatchObject({path: ['instances'], message: 'expected 1 to 64 instances'});
    expect(issues({command: 'x', instances: 1.5})[0]?.path).toEqual(['instances']);
    expect(issues({command: 'x', port: 65500})[0]).toMatchObject({path: ['port'], message: expect.stringContaining('expected a port of at most 65472')});
    expect(issues({command: 'x', port: 8000, env: {PORT: 1}})[0]).toMatchObject({path: ['env', 'PORT'], message: expect.stringContaining('PORT is set by `port`')});
  });

  it('keeps {port} and {instance} in a probe for each instance to fill in, and wants a port for {port}', () => {
    expect(parse({command: 'x', port: 8000, health: {http: 'http://127.0.0.1:{port}/health?i={instance}'}}).health?.probe).toEqual({kind: 'http', url: 'http://127.0.0.1:{port}/health?i={instance}', expectStatus: null});
    expect(parse({command: 'x', port: 8000, health: {tcp: '127.0.0.1:{port}'}}).health?.probe).toEqual({kind: 'tcp', host: '127.0.0.1', port: null});
    expect(issues({command: 'x', health: {http: 'http://127.0.0.1:{port}/'}})[0]).toMatchObject({path: ['health'], message: expect.stringContaining('{port} in a probe needs the service\'s `port`')});
    expect(issues({command: 'x', health: {exec: ['check', '{port}']}})[0]?.path).toEqual(['health']);
  });

  it('requires exactly one probe, and expect_status only with http', () => {
    expect(issues({command: 'x', health: {interval: '1s'}})[0]?.message).toContain('got none');
    expect(issues({command: 'x', health: {tcp: 'a:1', exec: ['b']}})[0]?.message).toContain('got tcp, exec');
    expect(issues({command: 'x', health: {tcp: 'a:1', expect_status: 200}})[0]?.message).toContain('expect_status applies only to an http probe');
  });

  it('checks a config default against its declared type', () => {
    expect(issues({command: 'x', config: {port: {type: 'integer', default: 1.5}}})[0]).toMatchObject({path: ['config', 'port', 'default'], message: 'default must be of type integer, got 1.5'});
    expect(issues({command: 'x', config: {flag: {type: 'boolean', default: 'yes'}}})[0]?.path).toEqual(['config', 'flag', 'default']);
    expect(issues({command: 'x', config: {'bad-key': {type: 'string'}}})[0]?.path).toEqual(['config', 'bad-key']);
  });

  it('takes watch as globs with watch_ignore, or true for every file under the cwd', () => {
    expect(parse({command: 'x', watch: ['src/**/*.js', 'config'], watch_ignore: ['src/generated/**']}).watch).toEqual({paths: ['src/**/*.js', 'config'], ignore: ['src/generated/**']});
    expect(parse({command: 'x', watch: true}).watch).toEqual({paths: ['**'], ignore: []});
    expect(parse({command: 'x', watch: false}).watch).toBeNull();
  });
});

describe('a remote service (remote = true)', () => {
  it('has no process: a heartbeat probe at the defaults, its config and agent actions', () => {
    const config = parse({remote: true, description: 'edge worker', config: {region: {type: 'string', default: 'eu'}}, actions: {drain: {description: 'stop taking work'}}});
    expect(config).toMatchObject({remote: true, command: [], description: 'edge worker', restart: 'never', instances: 1, dependsOn: [], watch: null});
    expect(config.health).toEqual({probe: {kind: 'heartbeat'}, intervalMs: 10_000, timeoutMs: 5_000, failureThreshold: 3, initialDelayMs: 0});
    expect(config.actions.drain).toEqual({command: null, description: 'stop taking work', timeoutMs: 300_000});
    expect(parse({remote: true, health: {heartbeat: true, interval: '2s'}}).health?.intervalMs).toBe(2_000);
  });

  it('refuses what only a started process has, each key at its place and saying why', () => {
    const found = issues({remote: true, command: 'node x.js', restart: 'always', health: {http: 'http://127.0.0.1:1/'}, actions: {drain: {command: 'kill 1'}}});
    expect(found.map((issue) => issue.path.join('.')).sort()).toEqual(['actions.drain.command', 'command', 'health', 'restart']);
    expect(found.find((issue) => issue.path[0] === 'command')?.message).toMatch(/applies only to a service the daemon starts.*remove command/);
    expect(found.find((issue) => issue.path[0] === 'health')?.message).toMatch(/expected health = \{heartbeat = true/);
  });

  it('a local service still needs its command', () => {
    expect(issues({remote: false}).map((issue) => issue.path.join('.'))).toEqual(['command']);
  });
});
