import {mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {normaliseTask} from '../../daemon/runner/task-spec.js';
import {parseProjectConfig} from '../../src/config/index.js';
import {DEFAULT_SANDBOX_POLICY} from '../../src/config/sandbox-policy.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {issuesFrom, linesFrom, toml} from './helpers.js';

// A real project directory: allowed_files are checked against the file system, symlinks included.
const base = realpathSync(mkdtempSync(join(tmpdir(), 'capsule-sandbox-config-')));
const root = join(base, 'project');
const outside = join(base, 'outside');
mkdirSync(join(root, 'data', 'deep'), {recursive: true});
mkdirSync(join(root, 'out'));
mkdirSync(outside);
writeFileSync(join(outside, 'secret'), 'no');
symlinkSync('/etc', join(root, 'etc-link'));
symlinkSync(outside, join(root, 'data', 'deep', 'away'));
symlinkSync(join(root, 'data'), join(root, 'data-link'));
afterAll(() => rmSync(base, {recursive: true, force: true}));

const file = join(root, 'capsule.toml');
const head = ['[project]', 'name = "reports"', '[defaults]'];
const parse = (...lines: string[]) => () => parseProjectConfig(toml(...head, ...lines), file);
const MB = 1024 * 1024;

describe('[defaults] isolation and the sandbox keys', () => {
  it('defaults to thread isolation and the default sandbox policy', () => {
    expect(parse()().defaults).toMatchObject({isolation: 'thread', sandbox: DEFAULT_SANDBOX_POLICY});
  });

  it('reads every key: paths canonical and absolute, hosts lower-cased, scratch in bytes', () => {
    const {defaults} = parse(
      'isolation = "sandbox"',
      'allowed_files = ["data", "./out/:rw", "data-link/deep:ro", ".:rw"]',
      'allowed_hosts = ["API.example.com", "*.example.org", "127.0.0.1:8080", "[::1]:8080", "api.example.com:443"]',
      'scratch = "128MB"',
    )();
    expect(defaults.isolation).toBe('sandbox');
    expect(defaults.sandbox).toEqual({
      ...DEFAULT_SANDBOX_POLICY,
      files: [
        {path: join(root, 'data'), writable: false},
        {path: join(root, 'out'), writable: true},
        {path: join(root, 'data', 'deep'), writable: false},
        {path: root, writable: true},
      ],
      hosts: ['api.example.com', '*.example.org', '127.0.0.1:8080', '[::1]:8080', 'api.example.com:443'],
      scratchBytes: 128 * MB,
    });
  });

  it('takes an absolute path inside the project', () => {
    expect(parse(`allowed_files = ["${join(root, 'out')}:rw"]`)().defaults.sandbox.files).toEqual([{path: join(root, 'out'), writable: true}]);
  });

  it('refuses, at the entry itself, a path that leaves the project directly', () => {
    expect(linesFrom(parse('allowed_files = ["data", "../outside"]'))).toEqual([
      `${file}:4:26 defaults.allowed_files[1]: expected a path inside the project ${root}, got "../outside"`,
    ]);
    expect(linesFrom(parse('allowed_files = [', '  "/etc:ro",', ']'))).toEqual([`${file}:5:3 defaults.allowed_files[0]: expected a path inside the project ${root}, got "/etc:ro"`]);
  });

  it('refuses a path that leaves the project through a symlink, at its end or on its way', () => {
    expect(linesFrom(parse('allowed_files = ["etc-link"]'))).toEqual([
      `${file}:4:18 defaults.allowed_files[0]: expected a path that stays in the project ${root}, got "etc-link", which a symlink leads to /etc`,
    ]);
    expect(linesFrom(parse('allowed_files = ["data/deep/away/secret:rw"]'))).toEqual([
      `${file}:4:18 defaults.allowed_files[0]: expected a path that stays in the project ${root}, got "data/deep/away/secret:rw", which a symlink leads to ${join(outside, 'secret')}`,
    ]);
  });

  it('refuses a path that does not exist, saying to create it', () => {
    const [issue] = issuesFrom(parse('allowed_files = ["cache:rw"]'));
    expect(issue).toMatchObject({line: 4, column: 18, path: 'defaults.allowed_files[0]'});
    expect(issue!.message).toBe(`expected an existing path, got "cache:rw": ${join(root, 'cache')} does not exist; create it, or remove the entry`);
  });

  it('refuses a misspelt mode, an empty entry, a path listed twice and a value that is not a list', () => {
    expect(linesFrom(parse('allowed_files = ["out:wr"]'))).toEqual([`${file}:4:18 defaults.allowed_files[0]: expected ":ro" or ":rw" after the path, got "out:wr" (did you mean "out:rw"?)`]);
    expect(linesFrom(parse('allowed_files = [":rw"]'))[0]).toContain('defaults.allowed_files[0]: expected a path inside the project, alone or with ":ro"');
    expect(linesFrom(parse('allowed_files = [""]'))[0]).toContain('got ""');
    expect(linesFrom(parse('allowed_files = ["data", "./data/:rw"]'))).toEqual([
      `${file}:4:26 defaults.allowed_files[1]: expected each path once, got "./data/:rw", which is ${join(root, 'data')} again`,
    ]);
    expect(linesFrom(parse('allowed_files = "data"'))).toEqual([`${file}:4:1 defaults.allowed_files: expected a list of paths, each a path inside the project, alone or with ":ro" (read-only, the default) or ":rw", such as "data/:ro" or "out/:rw", got "data"`]);
  });

  it.each([
    ['https://api.example.com/v1', 'expected a host such as "api.example.com", "*.example.org", "127.0.0.1:8080", "[::1]:8080" or "api.example.com:443", without a scheme, got "https://api.example.com/v1" (did you mean "api.example.com"?)'],
    ['api.example.com/v1', 'expected a host such as "api.example.com", "*.example.org", "127.0.0.1:8080", "[::1]:8080" or "api.example.com:443", without a path or user, got "api.example.com/v1" (did you mean "api.example.com"?)'],
    ['', 'expected a host such as "api.example.com", "*.example.org", "127.0.0.1:8080", "[::1]:8080" or "api.example.com:443", got ""'],
    ['api.example.com:0', 'expected a port from 1 to 65535 after the host, got "api.example.com:0"'],
    ['api.example.com:65536', 'expected a port from 1 to 65535 after the host, got "api.example.com:65536"'],
    ['api.example.com:http', 'expected a port from 1 to 65535 after the host, got "api.example.com:http"'],
    ['*', 'expected a wildcard over a domain, such as "*.example.org": "*" alone would allow every host, got "*"'],
    ['*.org', 'expected a wildcard over a domain of two labels or more, such as "*.example.org", got "*.org"'],
    ['api*.example.com', 'expected a host such as "api.example.com", "*.example.org", "127.0.0.1:8080", "[::1]:8080" or "api.example.com:443" ("*." only at the start), got "api*.example.com"'],
    ['::1', 'expected an IPv6 address in brackets, such as "[::1]:8080", got "::1" (did you mean "[::1]"?)'],
    ['[::g]:80', 'expected an IPv6 address in brackets, such as "[::1]:8080", got "[::g]:80"'],
    ['10.0.0.256', 'expected an IPv4 address of four numbers from 0 to 255, without leading zeros, such as "127.0.0.1:8080", got "10.0.0.256"'],
    ['127.000.000.001:80', 'expected an IPv4 address of four numbers from 0 to 255, without leading zeros, such as "127.0.0.1:8080", got "127.000.000.001:80"'],
    ['api_example.com', 'expected a host such as "api.example.com", "*.example.org", "127.0.0.1:8080", "[::1]:8080" or "api.example.com:443", got "api_example.com"'],
  ])('refuses the host %j at its entry, saying what was expected', (host, message) => {
    expect(linesFrom(parse(`allowed_hosts = ["ok.example.com", ${JSON.stringify(host)}]`))).toEqual([`${file}:4:36 defaults.allowed_hosts[1]: ${message}`]);
  });

  it('refuses a scratch size without its unit, and an isolation that does not exist', () => {
    expect(linesFrom(parse('scratch = 64', 'isolation = "sandbx"'))).toEqual([
      `${file}:4:1 defaults.scratch: expected a size with its unit, of at least 1MB and at most 2GB, such as "64MB" or "1GB", got number 64 (did you mean "64MB"?)`,
      `${file}:5:1 defaults.isolation: expected one of "thread", "process", "sandbox", got "sandbx" (did you mean "sandbox"?)`,
    ]);
  });

  it('suggests the snake_case key for a key written in camelCase, as task() spells it', () => {
    expect(linesFrom(parse('allowedFiles = ["data"]', 'allowedHosts = []'))).toEqual([
      `${file}:4:1 defaults.allowedFiles: unknown key (did you mean "allowed_files"?)`,
      `${file}:5:1 defaults.allowedHosts: unknown key (did you mean "allowed_hosts"?)`,
    ]);
  });
});

describe('the sandbox keys from [defaults] and from task(), alike', () => {
  /** `[defaults] KEY = LITERAL` of a sandboxed project: what it got, or the refusal. */
  function fromDefaults(key: string, literal: string): unknown {
    try {
      return {taken: parse('isolation = "sandbox"', `${key} = ${literal}`)().defaults.sandbox};
    } catch {
      const [issue] = issuesFrom(parse('isolation = "sandbox"', `${key} = ${literal}`));
      return {refused: issue!.message, suggestion: issue!.suggestion, at: issue!.path.slice(`defaults.${key}`.length)};
    }
  }

  /** `task({isolation: "sandbox", OPTION: value})` over the documented defaults: the same shape. */
  function fromTask(option: string, value: unknown): unknown {
    const defaults = {computeMs: 30_000, ramBytes: 256 * MB, timeoutMs: 30_000, maxRetries: 2, isolation: 'thread' as const, sandbox: DEFAULT_SANDBOX_POLICY};
    try {
      const spec = normaliseTask({namespace: 'reports', root}, {name: 'fetch', modulePath: join(root, 'tasks/fetch.ts'), exportName: 'fetch', options: {isolation: 'sandbox', [option]: value}}, defaults, {});
      return {taken: spec.sandbox};
    } catch (error) {
      expect(error).toBeInstanceOf(CapsuleError);
      const {message, hint} = error as CapsuleError;
      const match = /^task reports\/fetch: option "(\w+)((?:\[\d+\])?)": (.*)$/s.exec(message);
      expect(match?.[1]).toBe(option);
      return {refused: match![3], suggestion: hint?.match(/^did you mean "(.*)"\?$/)?.[1] ?? null, at: match![2]};
    }
  }

  it.each<[string, string, string, unknown]>([
    ['allowed_files', 'allowedFiles', '["data", "out:rw"]', ['data', 'out:rw']],
    ['allowed_files', 'allowedFiles', '["data", "../outside"]', ['data', '../outside']],
    ['allowed_files', 'allowedFiles', '["etc-link:ro"]', ['etc-link:ro']],
    ['allowed_files', 'allowedFiles', '["missing"]', ['missing']],
    ['allowed_files', 'allowedFiles', '["out:xx"]', ['out:xx']],
    ['allowed_hosts', 'allowedHosts', '["api.example.com", "https://x.example.com"]', ['api.example.com', 'https://x.example.com']],
    ['allowed_hosts', 'allowedHosts', '["*"]', ['*']],
    ['allowed_hosts', 'allowedHosts', '"api.example.com"', 'api.example.com'],
    ['scratch', 'scratch', '"256MB"', '256MB'],
    ['scratch', 'scratch', '"512KB"', '512KB'],
  ])('[defaults] %s and task() %s, written %s', (key, option, literal, value) => {
    const expected = fromDefaults(key, literal);
    expect(fromTask(option, value)).toEqual(expected);
  });
});

describe('a project reached through a symlink', () => {
  it('names each path under the project directory as given, the one the sandbox mounts, and still refuses what leaves it', () => {
    const alias = join(base, 'alias');
    symlinkSync(root, alias);
    const aliasFile = join(alias, 'capsule.toml');
    const config = parseProjectConfig(toml(...head, 'allowed_files = ["data-link/deep:rw"]'), aliasFile);
    expect(config.defaults.sandbox.files).toEqual([{path: join(alias, 'data', 'deep'), writable: true}]);
    expect(linesFrom(() => parseProjectConfig(toml(...head, 'allowed_files = ["etc-link"]'), aliasFile))[0]).toContain('which a symlink leads to /etc');
  });
});
