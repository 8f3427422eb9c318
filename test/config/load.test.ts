import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {loadProjectConfig} from '../../src/config/index.js';
import {MAX_CONFIG_BYTES} from '../../src/config/bounds.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {issuesOf} from './helpers.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'capsule-config-'));
});

afterEach(async () => {
  await rm(dir, {recursive: true, force: true});
});

async function loadError(root: string): Promise<CapsuleError> {
  const error: unknown = await loadProjectConfig(root).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CapsuleError);
  return error as CapsuleError;
}

describe('loadProjectConfig', () => {
  test('reads <root>/capsule.toml and resolves the root', async () => {
    await writeFile(path.join(dir, 'capsule.toml'), '[project]\nname = "reports"\n');
    const config = await loadProjectConfig(path.relative(process.cwd(), dir));
    expect(config.file).toBe(path.join(dir, 'capsule.toml'));
    expect(config.root).toBe(dir);
    expect(config.project.name).toBe('reports');
  });

  test('a missing file is not_found, names the path and says to run capsule init', async () => {
    const error = await loadError(dir);
    expect(error.code).toBe('not_found');
    expect(error.message).toBe(`no capsule.toml in ${dir}: expected a project file at ${path.join(dir, 'capsule.toml')}`);
    expect(error.hint).toBe(`run \`capsule init ${dir}\` to create a project there, or pass the directory that holds capsule.toml`);
  });

  test('a root that is a file is not_found too', async () => {
    const file = path.join(dir, 'notes.txt');
    await writeFile(file, 'hello');
    expect((await loadError(file)).code).toBe('not_found');
  });

  test('a capsule.toml that is a directory is config_invalid', async () => {
    await mkdir(path.join(dir, 'capsule.toml'));
    const error = await loadError(dir);
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(`cannot read ${path.join(dir, 'capsule.toml')}: expected a readable file, got EISDIR`);
  });

  test('an oversized file is refused', async () => {
    const text = `[project]\nname = "big"\n#${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
    await writeFile(path.join(dir, 'capsule.toml'), text);
    const error = await loadError(dir);
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(`${path.join(dir, 'capsule.toml')} is too large: expected at most 256KB, got ${Buffer.byteLength(text)} bytes`);
  });

  test('issues name the full path of the file', async () => {
    const file = path.join(dir, 'capsule.toml');
    await writeFile(file, '[project]\nname = "x"\n[defaults]\nram = "lots"\n');
    expect(issuesOf(await loadError(dir))).toEqual([{file, line: 4, column: 1, path: 'defaults.ram', message: 'expected a size with its unit, of at least 1MB, such as "256MB" or "2GB", got "lots"', suggestion: null}]);
  });

  test('instances out of bounds, and a probe\'s {port} without a port, name their line', async () => {
    const file = path.join(dir, 'capsule.toml');
    await writeFile(file, '[project]\nname = "x"\n[services.api]\ncommand = "x"\ninstances = 65\n[services.web]\ncommand = "y"\nhealth = { tcp = "127.0.0.1:{port}" }\n');
    expect(issuesOf(await loadError(dir))).toEqual([
      {file, line: 5, column: 1, path: 'services.api.instances', message: 'expected 1 to 64 instances', suggestion: null},
      {file, line: 8, column: 1, path: 'services.web.health', message: "{port} in a probe needs the service's `port` (instance N listens on port + N): add `port = 8000`, say", suggestion: null},
    ]);
  });
});
