import {describe, expect, test} from 'vitest';
import {parseProjectConfig} from '../../src/config/index.js';
import {linesFrom, toml} from './helpers.js';

const parse = (text: string) => () => parseProjectConfig(text, '/p/capsule.toml');
const service = (name: string, dependsOn: string) => [`[services.${name}]`, 'command = ["sleep", "100"]', `depends_on = ${dependsOn}`, ''];

describe('depends_on', () => {
  test('an unknown service is shown at its entry, with the one probably meant', () => {
    expect(linesFrom(parse(toml('[project]', 'name = "app"', '', ...service('web', '["db", "cachee"]'), ...service('db', '[]'), ...service('cache', '[]'))))).toEqual([
      '/p/capsule.toml:6:21 services.web.depends_on[1]: expected a service of this project, got "cachee" (did you mean "cache"?)',
    ]);
  });

  test('a service depending on itself is shown at that entry', () => {
    expect(linesFrom(parse(toml('[project]', 'name = "app"', '', ...service('web', '[{name = "web", condition = "healthy"}]'))))).toEqual([
      '/p/capsule.toml:6:15 services.web.depends_on[0]: service "web" depends on itself',
    ]);
  });

  test('a cycle is shown once, at the entry of its first service that leads into it, naming the loop', () => {
    expect(linesFrom(parse(toml('[project]', 'name = "app"', '', ...service('a', '["b"]'), ...service('b', '["c"]'), ...service('c', '["a"]'), ...service('d', '["a"]'))))).toEqual([
      '/p/capsule.toml:6:15 services.a.depends_on[0]: services depend on each other in a cycle: a → b → c → a',
    ]);
  });

  test('a graph without problems loads', () => {
    expect(parseProjectConfig(toml('[project]', 'name = "app"', '', ...service('web', '["db"]'), ...service('db', '[]')), '/p/capsule.toml').services.web!.dependsOn).toEqual([{name: 'db', condition: 'started'}]);
  });
});
