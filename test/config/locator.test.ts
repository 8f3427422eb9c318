import {parse} from 'smol-toml';
import {describe, expect, test} from 'vitest';
import {TomlKeyIndex} from '../../src/config/locator.js';
import {toml} from './helpers.js';

const at = (line: number, column: number) => ({line, column});

describe('TomlKeyIndex', () => {
  test('finds keys under [a.b] headers, and each header part', () => {
    const index = new TomlKeyIndex(toml('[project]', 'name = "x"', '', '[services.api]', '  restart = "always"'));
    expect(index.locate(['project'])).toEqual(at(1, 2));
    expect(index.locate(['project', 'name'])).toEqual(at(2, 1));
    expect(index.locate(['services'])).toEqual(at(4, 2));
    expect(index.locate(['services', 'api'])).toEqual(at(4, 11));
    expect(index.locate(['services', 'api', 'restart'])).toEqual(at(5, 3));
  });

  test('a missing key is placed at its table; a path with nothing written has no place', () => {
    const index = new TomlKeyIndex(toml('[services.api]', 'restart = "always"'));
    expect(index.locate(['services', 'api', 'command'])).toEqual(at(1, 11));
    expect(index.locate(['project', 'name'])).toBeNull();
    expect(new TomlKeyIndex('').locate(['project'])).toBeNull();
  });

  test('dotted keys, with spaces around the dots', () => {
    const index = new TomlKeyIndex(toml('services.api.command = "x"', 'services . web . restart = "never"'));
    expect(index.locate(['services'])).toEqual(at(1, 1));
    expect(index.locate(['services', 'api'])).toEqual(at(1, 10));
    expect(index.locate(['services', 'api', 'command'])).toEqual(at(1, 14));
    expect(index.locate(['services', 'web', 'restart'])).toEqual(at(2, 18));
  });

  test('keys inside inline tables, nested and dotted', () => {
    const index = new TomlKeyIndex(toml('[services.api]', 'health = { http = "http://x/{a}", probe = { interval = "5s" }, a.b = 1 }'));
    expect(index.locate(['services', 'api', 'health'])).toEqual(at(2, 1));
    expect(index.locate(['services', 'api', 'health', 'http'])).toEqual(at(2, 12));
    expect(index.locate(['services', 'api', 'health', 'probe', 'interval'])).toEqual(at(2, 45));
    expect(index.locate(['services', 'api', 'health', 'a'])).toEqual(at(2, 64));
    expect(index.locate(['services', 'api', 'health', 'a', 'b'])).toEqual(at(2, 66));
  });

  test('quoted keys, basic and literal', () => {
    const index = new TomlKeyIndex(toml('[services."web.api"]', "'raw key' = 1", '"tab\\tkey" = 2'));
    expect(index.locate(['services', 'web.api'])).toEqual(at(1, 11));
    expect(index.locate(['services', 'web.api', 'raw key'])).toEqual(at(2, 1));
    expect(index.locate(['services', 'web.api', 'tab\tkey'])).toEqual(at(3, 1));
  });

  test('[[arrays]] of tables are indexed, and sub-tables attach to the latest element', () => {
    const index = new TomlKeyIndex(toml('[[jobs]]', 'name = "a"', '[[jobs]]', 'name = "b"', '[jobs.limits]', 'ram = "1GB"', '[[jobs.steps]]', 'run = "x"'));
    expect(index.locate(['jobs'])).toEqual(at(1, 3));
    expect(index.locate(['jobs', 0, 'name'])).toEqual(at(2, 1));
    expect(index.locate(['jobs', 1])).toEqual(at(3, 3));
    expect(index.locate(['jobs', 1, 'name'])).toEqual(at(4, 1));
    expect(index.locate(['jobs', 1, 'limits', 'ram'])).toEqual(at(6, 1));
    expect(index.locate(['jobs', 1, 'steps', 0, 'run'])).toEqual(at(8, 1));
  });

  test('array elements, across lines and with inline tables inside', () => {
    const index = new TomlKeyIndex(toml('ports = [', '  8080, # main', '  { port = 9090 },', ']', 'after = true'));
    expect(index.locate(['ports', 0])).toEqual(at(2, 3));
    expect(index.locate(['ports', 1])).toEqual(at(3, 3));
    expect(index.locate(['ports', 1, 'port'])).toEqual(at(3, 5));
    expect(index.locate(['after'])).toEqual(at(5, 1));
  });

  test('text inside strings and comments is never taken for keys', () => {
    const index = new TomlKeyIndex(
      toml(
        'a = """',
        'fake = 1',
        '[fake]',
        'with "" quotes""""',
        "b = '''",
        "[also.fake] ''",
        "'''",
        'c = "# not a comment \\" [x]" # real comment = 1',
        'd = 1979-05-27 07:32:00Z',
        'e = 2',
      ),
    );
    expect(index.locate(['fake'])).toBeNull();
    expect(index.locate(['also'])).toBeNull();
    expect(index.locate(['b'])).toEqual(at(5, 1));
    expect(index.locate(['c'])).toEqual(at(8, 1));
    expect(index.locate(['d'])).toEqual(at(9, 1));
    expect(index.locate(['e'])).toEqual(at(10, 1));
  });

  test('CRLF line endings count as one line break', () => {
    const index = new TomlKeyIndex('[project]\r\nname = "x"\r\n\r\n[defaults]\r\nram = "1GB"\r\n');
    expect(index.locate(['defaults', 'ram'])).toEqual(at(5, 1));
  });

  test('on text it cannot follow it keeps what it found before and places nothing after', () => {
    const index = new TomlKeyIndex(toml('[project]', 'name = "x"', '= broken', '[defaults]', 'ram = "1GB"'));
    expect(index.locate(['project', 'name'])).toEqual(at(2, 1));
    expect(index.locate(['defaults', 'ram'])).toBeNull();
  });

  test('every key and element of a document using most of TOML gets its own place', () => {
    const text = toml(
      'title = "TOML Example"',
      `"quoted.key" = 'lit'`,
      'site."google.com" = true',
      '3.14159 = "pi"',
      '[owner]',
      'dob = 1979-05-27T07:32:00-08:00',
      'lt = 07:32:00',
      '[database]',
      'data = [ ["delta", "phi"], [3.14] ]',
      'temp_targets = { cpu = 79.5, case = 72.0 }',
      'str = """',
      'Roses are red \\""" "',
      'still = "inside" """',
      `lit = '''I [dont] need \\ escapes'''`,
      'nested = [{a = [1, {b = 2}]}, {c = "}"}]',
      '  [servers.beta]',
      '  ip = "10.0.0.2"',
      '[[products]]',
      'name = "Hammer"',
      '[[products]]  # empty',
      '[[products]]',
      '[products.dims]',
      'w = 1',
      '[[products.parts]]',
      'p = 1',
      '[[products.parts]]',
      'p = 2',
    );
    const parsed = parse(text);
    expect(parsed.database).toMatchObject({str: 'Roses are red """ "\nstill = "inside" '});
    const paths: (string | number)[][] = [];
    const walk = (value: unknown, path: (string | number)[]): void => {
      if (path.length > 0) paths.push(path);
      if (Array.isArray(value)) value.forEach((element, position) => walk(element, [...path, position]));
      else if (typeof value === 'object' && value !== null && !(value instanceof Date)) for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
    };
    walk(parsed, []);
    expect(paths.length).toBeGreaterThan(40);

    const index = new TomlKeyIndex(text);
    const lines = text.split('\n');
    for (const path of paths) {
      const position = index.locate(path);
      expect(position, JSON.stringify(path)).not.toBeNull();
      const last = path.at(-1)!;
      const written = lines[position!.line - 1]!.slice(position!.column - 1);
      if (typeof last === 'string' && /^[A-Za-z0-9_-]+$/.test(last)) expect(written.startsWith(last), `${JSON.stringify(path)} at "${written}"`).toBe(true);
    }
    expect(index.locate(['products', 1])).toEqual(at(20, 3));
    expect(index.locate(['products', 2, 'parts', 1, 'p'])).toEqual(at(27, 1));
  });
});
