import {describe, expect, test} from 'vitest';
import {z} from 'zod';
import {parseConfigText} from '../../src/config/parse.js';
import {createConfigSchema} from '../../src/config/schema.js';
import {linesFrom, toml} from './helpers.js';

// Stand-ins for the schemas the schedules and services issues will bring: strict tables that
// normalise with transforms and check across keys with refinements.
const schedule = z
  .strictObject({task: z.string(), cron: z.string(), timezone: z.string().optional()})
  .transform((table) => ({...table, timezone: table.timezone ?? null}));

const service = z
  .strictObject({
    command: z.union([z.string(), z.array(z.string()).min(1)]),
    restart: z.enum(['always', 'on-failure', 'never']).default('on-failure'),
    health: z.strictObject({http: z.string(), interval: z.string().default('5s')}).optional(),
  })
  .superRefine((table, ctx) => {
    if (table.restart === 'never' && table.health) {
      ctx.addIssue({code: 'custom', path: ['health'], message: 'expected no health check on a service that is never restarted, got one', params: {suggestion: 'on-failure'}});
    }
  });

const schema = createConfigSchema({schedule, service}, '.');
const parse = (text: string) => () => parseConfigText(text, 'capsule.toml', schema);
const head = ['[project]', 'name = "reports"'];

describe('schedule and service schemas plugged into the file schema', () => {
  test('their transforms shape the result', () => {
    const config = parseConfigText(toml(...head, '[schedules.nightly]', 'task = "t"', 'cron = "0 3 * * *"', '[services.api]', 'command = "x"'), 'capsule.toml', schema);
    expect(config.schedules).toEqual({nightly: {task: 't', cron: '0 3 * * *', timezone: null}});
    expect(config.services).toEqual({api: {command: 'x', restart: 'on-failure'}});
  });

  test('a misspelled key in [schedules.x] or [services.x] gets a suggestion', () => {
    expect(linesFrom(parse(toml(...head, '[schedules.nightly]', 'task = "t"', 'cron = "0 3 * * *"', 'timezon = "UTC"')))).toEqual([
      'capsule.toml:6:1 schedules.nightly.timezon: unknown key (did you mean "timezone"?)',
    ]);
    expect(linesFrom(parse(toml(...head, '[services.api]', 'command = "x"', 'restrat = "always"')))).toEqual([
      'capsule.toml:5:1 services.api.restrat: unknown key (did you mean "restart"?)',
    ]);
  });

  test('a misspelled value of an enum gets a suggestion', () => {
    expect(linesFrom(parse(toml(...head, '[services.api]', 'command = "x"', 'restart = "on-failur"')))).toEqual([
      'capsule.toml:5:1 services.api.restart: expected one of "always", "on-failure", "never", got "on-failur" (did you mean "on-failure"?)',
    ]);
  });

  test('a key inside an inline table is located within its line', () => {
    expect(linesFrom(parse(toml(...head, '[services.api]', 'command = "x"', 'health = { http = "http://127.0.0.1/health", intervl = "5s" }')))).toEqual([
      'capsule.toml:5:46 services.api.health.intervl: unknown key (did you mean "interval"?)',
    ]);
    expect(linesFrom(parse(toml(...head, '[services.api]', 'command = "x"', 'health = { interval = "5s" }')))).toEqual([
      'capsule.toml:5:1 services.api.health.http: missing required key: expected a string',
    ]);
  });

  test('issues a refinement raises are located and keep their suggestion', () => {
    expect(linesFrom(parse(toml(...head, '[services.api]', 'command = "x"', 'restart = "never"', 'health.http = "http://127.0.0.1/"')))).toEqual([
      'capsule.toml:6:1 services.api.health: expected no health check on a service that is never restarted, got one (did you mean "on-failure"?)',
    ]);
  });

  test('issues from the file, its schedules and its services come back together', () => {
    const text = toml('[project]', 'name = "Reports"', '[schedules.a]', 'cron = 5', '[services.b]', 'command = ["x"]', 'restart = "sometimes"');
    expect(linesFrom(parse(text))).toEqual([
      'capsule.toml:2:1 project.name: expected a name of lowercase letters, digits, "_" and "-" that starts with a letter or digit, got "Reports" (did you mean "reports"?)',
      'capsule.toml:3:12 schedules.a.task: missing required key: expected a string',
      'capsule.toml:4:1 schedules.a.cron: expected a string, got number 5',
      'capsule.toml:7:1 services.b.restart: expected one of "always", "on-failure", "never", got "sometimes"',
    ]);
  });
});
