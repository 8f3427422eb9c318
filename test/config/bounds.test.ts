import {describe, expect, test} from 'vitest';
import {MAX_CONFIG_ENTRIES, MAX_KEY_DEPTH} from '../../src/config/bounds.js';
import {MAX_REPORTED_ISSUES} from '../../src/config/issues.js';
import {TomlKeyIndex} from '../../src/config/locator.js';
import {parseProjectConfig} from '../../src/config/parse.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {issuesFrom} from './helpers.js';

const HEAD = '[project]\nname = "x"\n';
const parse = (text: string) => () => parseProjectConfig(text, 'capsule.toml');

// Hostile files that once took the daemon seconds or its whole heap (issue 12). Their speed is
// measured by `npm run bench -- config`; here, that each is refused with a bounded, placed error.
describe('hostile capsule.toml files are refused with one placed issue', () => {
  test('a dotted key of 50,000 segments: too deep, placed at the key', () => {
    const issues = issuesFrom(parse(`${HEAD}${Array(50_000).fill('a').join('.')} = 1\n`));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({line: 3, message: `keys nested more than ${MAX_KEY_DEPTH} deep: Capsule reads nothing this deep; flatten it or keep such data in another file`});
    expect(issues[0]!.path.split('.')).toHaveLength(MAX_KEY_DEPTH);
  });

  test('inline tables nested too deep', () => {
    const depth = 40;
    const issues = issuesFrom(parse(`${HEAD}x = ${'{a = '.repeat(depth)}1${' }'.repeat(depth)}\n`));
    expect(issues).toEqual([expect.objectContaining({line: 3, message: expect.stringContaining(`nested more than ${MAX_KEY_DEPTH} deep`)})]);
  });

  test('40,000 keys: too many, placed at the first one past the cap', () => {
    const lines = Array.from({length: 40_000}, (_, index) => `k${index} = 1`);
    const issues = issuesFrom(parse(`${HEAD}${lines.join('\n')}\n`));
    // `name` is the first entry in [project] after the table itself.
    const first = MAX_CONFIG_ENTRIES - 2;
    expect(issues).toEqual([expect.objectContaining({path: `project.k${first}`, line: first + 3, message: `more than ${MAX_CONFIG_ENTRIES} keys and array items in the file: keep data in other files`})]);
  });

  test('an array of 20,000 items counts too', () => {
    const issues = issuesFrom(parse(`${HEAD}[defaults]\nenv = [${Array(20_000).fill('1').join(', ')}]\n`));
    expect(issues).toEqual([expect.objectContaining({line: 4, message: expect.stringContaining(`more than ${MAX_CONFIG_ENTRIES} keys`)})]);
  });

  test('a 100 KB time zone is reported without echoing it or looking for a near name', () => {
    const zone = 'A'.repeat(100_000);
    const issues = issuesFrom(parse(`${HEAD}[schedules.s]\ntask = "t"\ncron = "* * * * *"\ntimezone = "${zone}"\n`));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({path: 'schedules.s.timezone', line: 6, suggestion: null});
    expect(issues[0]!.message).toBe(`unknown time zone: expected an IANA name like "Europe/Paris" or "UTC", got "${'A'.repeat(40)}…"`);
  });

  test(`thousands of issues: the first ${MAX_REPORTED_ISSUES} are reported, with the count of the rest`, () => {
    const lines = Array.from({length: 5_000}, (_, index) => `k${index} = 1`);
    let error: unknown;
    try {
      parseProjectConfig(`${HEAD}${lines.join('\n')}\n`, 'capsule.toml');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(CapsuleError);
    const {message, details} = error as CapsuleError;
    expect((details as {issues: unknown[]}).issues).toHaveLength(MAX_REPORTED_ISSUES);
    expect(message.split('\n')[0]).toBe('capsule.toml has 5000 issues:');
    expect(message).toContain(`capsule.toml:${MAX_REPORTED_ISSUES + 2}:1 project.k${MAX_REPORTED_ISSUES - 1}: unknown key`);
    expect(message).not.toContain(`project.k${MAX_REPORTED_ISSUES}:`);
    expect(message.endsWith(`\n… and ${5_000 - MAX_REPORTED_ISSUES} more`)).toBe(true);
  });

  test('a file within the caps still validates as before', () => {
    const services = Array.from({length: 300}, (_, index) => `[services.s${index}]\ncommand = "node s.js"\nrestart = "always"`);
    const config = parseProjectConfig(`${HEAD}${services.join('\n')}\n`, 'capsule.toml');
    expect(Object.keys(config.services)).toHaveLength(300);
  });
});

describe('TomlKeyIndex on a very long dotted key', () => {
  test('locates every depth of it', () => {
    const index = new TomlKeyIndex(`x = 1\n${Array(50_000).fill('a').join('.')} = 1\n`);
    expect(index.locate(Array(50_000).fill('a'))).toEqual({line: 2, column: 1 + 2 * 49_999});
    expect(index.locate(['a', 'a', 'missing'])).toEqual({line: 2, column: 3});
  });
});
