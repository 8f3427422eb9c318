import {describe, expect, test} from 'vitest';
import {DEFAULT_SANDBOX_POLICY} from '../../src/config/sandbox-policy.js';
import {parseProjectConfig, type ProjectConfig} from '../../src/config/index.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {issuesFrom, linesFrom, toml} from './helpers.js';

const parse = (text: string) => () => parseProjectConfig(text, 'capsule.toml');

describe('parseProjectConfig on a valid file', () => {
  test('reads every key and normalises the defaults to numbers', () => {
    const text = toml(
      '[project]',
      'name = "reports"',
      'version = "1.0.0"',
      'description = "Nightly reports"',
      'entry = ["tasks/*.ts", "jobs/**/*.js"]',
      '',
      '[defaults]',
      'compute = "HIGH"',
      'ram = "512MB"',
      'timeout = "2m"',
      'max_retries = 5',
      '',
      '[schedules.nightly]',
      'task = "build_report"',
      'cron = "0 3 * * *"',
      'timezone = "Europe/Paris"',
      '',
      '[services.api]',
      'command = ["node", "server.js"]',
      'restart = "on-failure"',
      'health = { http = "http://127.0.0.1:8080/health", interval = "5s" }',
    );
    expect(parseProjectConfig(text, '/srv/reports/capsule.toml')).toEqual<ProjectConfig>({
      file: '/srv/reports/capsule.toml',
      root: '/srv/reports',
      nameAt: {line: 2, column: 1},
      project: {name: 'reports', version: '1.0.0', description: 'Nightly reports', entry: ['tasks/*.ts', 'jobs/**/*.js']},
      defaults: {computeMs: 120_000, ramBytes: 512 * 1024 * 1024, timeoutMs: 120_000, maxRetries: 5, isolation: 'thread', sandbox: DEFAULT_SANDBOX_POLICY},
      schedules: {
        nightly: {task: 'build_report', cron: '0 3 * * *', timezone: 'Europe/Paris', input: {}, overlap: 'skip', catchUp: 'latest', catchUpWindowMs: 3_600_000, jitterMs: 0, enabled: true},
      },
      services: {
        api: {
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
          health: {probe: {kind: 'http', url: 'http://127.0.0.1:8080/health', expectStatus: null}, intervalMs: 5000, timeoutMs: 5000, failureThreshold: 3, initialDelayMs: 0},
          config: {},
          actions: {},
          logs: {maxSizeBytes: 10 * 1024 * 1024, keep: 3},
          maxMemoryBytes: null,
          instances: 1,
          port: null,
          watch: null,
        },
      },
    });
  });

  test('fills in the documented defaults when only the name is given', () => {
    const config = parseProjectConfig(toml('[project]', 'name = "tiny"'), '/p/capsule.toml');
    expect(config.project).toEqual({name: 'tiny', version: null, description: null, entry: ['tasks/*.ts', 'tasks/*.js']});
    expect(config.defaults).toEqual({computeMs: 30_000, ramBytes: 256 * 1024 * 1024, timeoutMs: 30_000, maxRetries: 2, isolation: 'thread', sandbox: DEFAULT_SANDBOX_POLICY});
    expect(config.schedules).toEqual({});
    expect(config.services).toEqual({});
  });

  test('takes a CPU budget in ms, a bare timeout in ms and a byte-order mark', () => {
    const config = parseProjectConfig(`\uFEFF${toml('[project]', 'name = "p"', '[defaults]', 'compute = 4500', 'timeout = 1500')}`, 'capsule.toml');
    expect(config.defaults).toMatchObject({computeMs: 4500, timeoutMs: 1500});
  });

  test('accepts a service command given as one string', () => {
    const config = parseProjectConfig(toml('[project]', 'name = "p"', '[services.web]', 'command = "python -m http.server"'), 'capsule.toml');
    expect(config.services.web?.command).toBe('python -m http.server');
  });
});

describe('parseProjectConfig on a bad file', () => {
  test('a TOML syntax error gives its line and column', () => {
    const issues = issuesFrom(parse(toml('[project]', 'name = "x"', 'version = ')));
    expect(issues).toEqual([{file: 'capsule.toml', line: 3, column: 11, path: '', message: 'invalid TOML: invalid value', suggestion: null}]);
  });

  test('the error says how to fix it and carries the issues as details', () => {
    let thrown: unknown;
    try {
      parseProjectConfig(toml('[project]', 'name = "x"', 'name = "y"'), 'capsule.toml');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CapsuleError);
    const error = thrown as CapsuleError;
    expect(error.message).toBe('capsule.toml has an issue:\ncapsule.toml:3:1: invalid TOML: trying to redefine an already defined table or value');
    expect(error.hint).toBe('fix it in capsule.toml, then reload the project; the README lists every capsule.toml key');
    expect(error.details).toEqual({file: 'capsule.toml', issues: [expect.objectContaining({line: 3, column: 1})]});
  });

  test('a missing [project] table is placed at the top of the file, where it belongs', () => {
    expect(issuesFrom(parse(toml('[defaults]', 'ram = "1GB"')))).toEqual([
      {file: 'capsule.toml', line: 1, column: 1, path: 'project', message: 'missing table [project]', suggestion: null},
    ]);
    expect(linesFrom(parse(''))).toEqual(['capsule.toml:1:1 project: missing table [project]']);
  });

  test('an entry pattern outside the project is shown where it is written', () => {
    expect(linesFrom(parse(toml('[project]', 'name = "app"', 'entry = ["tasks/*.ts", "/etc/*.ts", "../x/*.ts"]')))).toEqual([
      'capsule.toml:3:24 project.entry[1]: expected a path inside the project like "tasks/*.ts" (relative to capsule.toml, without ".."), got "/etc/*.ts"',
      'capsule.toml:3:37 project.entry[2]: expected a path inside the project like "tasks/*.ts" (relative to capsule.toml, without ".."), got "../x/*.ts"',
    ]);
  });

  test('a missing name points at the [project] header', () => {
    expect(linesFrom(parse(toml('# reports', '[project]', 'version = "1.0.0"')))).toEqual([
      'capsule.toml:2:2 project.name: missing required key: expected a string',
    ]);
  });

  test('a name that is not a namespace suggests one that is', () => {
    expect(issuesFrom(parse(toml('[project]', 'name = "My Reports"')))).toEqual([
      {
        file: 'capsule.toml',
        line: 2,
        column: 1,
        path: 'project.name',
        message: 'expected a name of lowercase letters, digits, "_" and "-" that starts with a letter or digit, got "My Reports"',
        suggestion: 'my-reports',
      },
    ]);
    expect(linesFrom(parse(toml('[project]', 'name = "-"')))).toEqual([
      'capsule.toml:2:1 project.name: expected a name of lowercase letters, digits, "_" and "-" that starts with a letter or digit, got "-"',
    ]);
  });

  test('schedule and service names must be namespaces too', () => {
    expect(linesFrom(parse(toml('[project]', 'name = "p"', '[schedules.Nightly]', 'task = "t"', 'cron = "* * * * *"', '[services."web api"]', 'command = "x"')))).toEqual([
      'capsule.toml:3:12 schedules.Nightly: expected a name of lowercase letters, digits, "_" and "-" that starts with a letter or digit, got "Nightly" (did you mean "nightly"?)',
      'capsule.toml:6:11 services."web api": expected a name of lowercase letters, digits, "_" and "-" that starts with a letter or digit, got "web api" (did you mean "web-api"?)',
    ]);
  });

  test('an unknown top-level table suggests the table meant, or lists the allowed ones', () => {
    expect(linesFrom(parse(toml('[project]', 'name = "p"', '[servces.api]', 'command = "x"')))).toEqual([
      'capsule.toml:3:2 servces: unknown table (did you mean "services"?)',
    ]);
    expect(linesFrom(parse(toml('[project]', 'name = "p"', '[plugins]', 'x = 1')))).toEqual([
      'capsule.toml:3:2 plugins: unknown table; expected one of project, defaults, schedules, services',
    ]);
    expect(linesFrom(parse(toml('owner = "me"', '[project]', 'name = "p"')))).toEqual([
      'capsule.toml:1:1 owner: unknown key; expected one of project, defaults, schedules, services',
    ]);
  });

  test('a misspelled key in [project] or [defaults] gets a suggestion', () => {
    expect(issuesFrom(parse(toml('[project]', 'name = "p"', 'descripton = "x"')))).toEqual([
      {file: 'capsule.toml', line: 3, column: 1, path: 'project.descripton', message: 'unknown key', suggestion: 'description'},
    ]);
    expect(linesFrom(parse(toml('[project]', 'name = "p"', '', '[defaults]', '  max_retires = 3')))).toEqual([
      'capsule.toml:5:3 defaults.max_retires: unknown key (did you mean "max_retries"?)',
    ]);
  });

  test('a misspelled required key in [schedules.x] or [services.x] is found where it was written', () => {
    expect(linesFrom(parse(toml('[project]', 'name = "p"', '[schedules.nightly]', 'tsk = "build"', 'cron = "0 3 * * *"')))).toEqual([
      'capsule.toml:4:1 schedules.nightly.task: missing required key: expected a string, found "tsk" (did you mean "task"?)',
    ]);
    expect(linesFrom(parse(toml('[project]', 'name = "p"', '[services.api]', 'comand = ["node", "server.js"]')))).toEqual([
      'capsule.toml:4:1 services.api.command: missing required key: expected a string or an array, found "comand" (did you mean "command"?)',
    ]);
  });

  test('a bad duration, size or compute level says what was expected and what was got', () => {
    const lines = linesFrom(parse(toml('[project]', 'name = "p"', '[defaults]', 'timeout = "30 seconds"', 'ram = "256XB"', 'compute = "MEDUIM"')));
    expect(lines).toEqual([
      'capsule.toml:4:1 defaults.timeout: expected a duration above zero such as "30s", "5m" or "1h", got "30 seconds"',
      'capsule.toml:5:1 defaults.ram: expected a size with its unit, of at least 1MB, such as "256MB" or "2GB", got "256XB"',
      'capsule.toml:6:1 defaults.compute: expected "LOW", "MEDIUM", "HIGH" or CPU milliseconds as a positive integer, got "MEDUIM" (did you mean "MEDIUM"?)',
    ]);
  });

  test('values out of range are refused', () => {
    const lines = linesFrom(parse(toml('[project]', 'name = "p"', '[defaults]', 'timeout = "0s"', 'ram = "512KB"', 'compute = -1', 'max_retries = 101')));
    expect(lines).toEqual([
      'capsule.toml:4:1 defaults.timeout: expected a duration above zero such as "30s", "5m" or "1h", got "0s"',
      'capsule.toml:5:1 defaults.ram: expected a size with its unit, of at least 1MB, such as "256MB" or "2GB", got "512KB"',
      'capsule.toml:6:1 defaults.compute: expected "LOW", "MEDIUM", "HIGH" or CPU milliseconds as a positive integer, got number -1',
      'capsule.toml:7:1 defaults.max_retries: expected an integer from 0 to 100, got number 101',
    ]);
  });

  test('wrong types say what was expected and what was got', () => {
    const lines = linesFrom(
      parse(
        toml(
          '[project]',
          'name = "p"',
          'version = 1.0',
          'entry = "tasks/*.ts"',
          '[defaults]',
          'ram = 256',
          'max_retries = "2"',
          'compute = true',
          '[schedules]',
          'nightly = "0 3 * * *"',
          '[services.api]',
          'command = 8080',
        ),
      ),
    );
    expect(lines).toEqual([
      'capsule.toml:3:1 project.version: expected a string, got number 1',
      'capsule.toml:4:1 project.entry: expected an array, got "tasks/*.ts"',
      'capsule.toml:6:1 defaults.ram: expected a size with its unit, of at least 1MB, such as "256MB" or "2GB", got number 256 (did you mean "256MB"?)',
      'capsule.toml:7:1 defaults.max_retries: expected an integer from 0 to 100, got "2"',
      'capsule.toml:8:1 defaults.compute: expected "LOW", "MEDIUM", "HIGH" or CPU milliseconds as a positive integer, got boolean true',
      'capsule.toml:10:1 schedules.nightly: expected a table, got "0 3 * * *"',
      'capsule.toml:12:1 services.api.command: expected a string or an array, got number 8080',
    ]);
  });

  test('array elements are located one by one', () => {
    expect(linesFrom(parse(toml('[project]', 'name = "p"', 'entry = [', '  "tasks/*.ts",', '  42,', '  "",', ']', '[services.api]', 'command = []')))).toEqual([
      'capsule.toml:5:3 project.entry[1]: expected a string, got number 42',
      'capsule.toml:6:3 project.entry[2]: expected a non-empty string, got ""',
      'capsule.toml:9:1 services.api.command: expected the program and its arguments, got an empty array',
    ]);
  });

  test('a key inside an inline table is located within its line', () => {
    expect(linesFrom(parse(toml('services.api = { comand = "x", restart = "always" }', '[project]', 'name = "p"')))).toEqual([
      'capsule.toml:1:18 services.api.command: missing required key: expected a string or an array, found "comand" (did you mean "command"?)',
    ]);
    expect(linesFrom(parse(toml('defaults = { ram = "1GB", timout = "5s" }', '[project]', 'name = "p"')))).toEqual([
      'capsule.toml:1:27 defaults.timout: unknown key (did you mean "timeout"?)',
    ]);
  });

  test('a longer name that starts with a key suggests that key', () => {
    expect(linesFrom(parse(toml('[project]', 'name = "p"', '[services.files]', 'command = "x"', 'restart_policy = "always"')))).toEqual([
      'capsule.toml:5:1 services.files.restart_policy: unknown key (did you mean "restart"?)',
    ]);
    expect(linesFrom(parse(toml('[project]', 'name = "p"', '[defaults]', 'timeout_ms = 5000')))).toEqual([
      'capsule.toml:4:1 defaults.timeout_ms: unknown key (did you mean "timeout"?)',
    ]);
  });

  test('a bad watch or watch_ignore is found where it was written, saying what a glob must be', () => {
    const service = (...lines: string[]) => linesFrom(parse(toml('[project]', 'name = "p"', '[services.api]', 'command = "x"', ...lines)));
    expect(service('watch = "src/**/*.js"')).toEqual(['capsule.toml:5:1 services.api.watch: expected a boolean or an array, got "src/**/*.js"']);
    expect(service('watch = []')).toEqual(["capsule.toml:5:1 services.api.watch: expected at least one glob, or true for every file under the service's cwd"]);
    expect(service('watch = ["src/**/*.js", 3, "", "../lib/*.js", "/etc/*.conf", "src/*.{js,ts"]')).toEqual([
      'capsule.toml:5:25 services.api.watch[1]: expected a string, got number 3',
      'capsule.toml:5:28 services.api.watch[2]: expected a glob such as "src/**/*.js", got an empty string',
      'capsule.toml:5:32 services.api.watch[3]: expected a glob relative to the service\'s cwd, without "..", such as "src/**/*.js", got "../lib/*.js"',
      'capsule.toml:5:47 services.api.watch[4]: expected a glob relative to the service\'s cwd, without "..", such as "src/**/*.js", got "/etc/*.conf"',
      'capsule.toml:5:62 services.api.watch[5]: a "{" in "src/*.{js,ts" is never closed',
    ]);
    expect(service('watch = true', 'watch_ignore = "dist"')).toEqual(['capsule.toml:6:1 services.api.watch_ignore: expected an array, got "dist"']);
    expect(service('watch_ignore = ["dist/**"]')).toEqual(['capsule.toml:5:1 services.api.watch_ignore: watch_ignore applies only with watch: add watch = ["..."] (or true), or remove watch_ignore']);
    expect(service('wach = true')).toEqual(['capsule.toml:5:1 services.api.wach: unknown key (did you mean "watch"?)']);
  });

  test('every issue in the file is reported at once, in file order', () => {
    const text = toml(
      '[project]',
      'nme = "reports"',
      '',
      '[defaults]',
      'timeout = "soon"',
      'max_retries = -2',
      '',
      '[schedule.nightly]',
      'task = "build_report"',
      '',
      '[services.api]',
      'command = ["node", 3]',
    );
    expect(linesFrom(parse(text))).toEqual([
      'capsule.toml:2:1 project.name: missing required key: expected a string, found "nme" (did you mean "name"?)',
      'capsule.toml:5:1 defaults.timeout: expected a duration above zero such as "30s", "5m" or "1h", got "soon"',
      'capsule.toml:6:1 defaults.max_retries: expected an integer from 0 to 100, got number -2',
      'capsule.toml:8:2 schedule: unknown table (did you mean "schedules"?)',
      'capsule.toml:12:20 services.api.command[1]: expected a string, got number 3',
    ]);
  });
});
