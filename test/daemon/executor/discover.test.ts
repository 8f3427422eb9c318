import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {DiscoveryCache, discoverTasks} from '../../../daemon/executor/index.js';
import {CapsuleError} from '../../../src/lib/errors.js';
import {FIXTURES} from './helpers.js';

async function failureOf(promise: Promise<unknown>): Promise<CapsuleError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CapsuleError);
  return error as CapsuleError;
}

describe('discoverTasks', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capsule-discover-'));
  });

  afterEach(async () => {
    await rm(dir, {recursive: true, force: true});
  });

  it('lists every task() export of the entry modules with its declared options', async () => {
    const {tasks} = await discoverTasks(FIXTURES, ['*.ts', '*.mjs']);
    expect(tasks).toContainEqual({modulePath: join(FIXTURES, 'basic.ts'), exportName: 'echo', name: 'echo_input', options: {name: 'echo_input'}});
    expect(tasks).toContainEqual({modulePath: join(FIXTURES, 'basic.ts'), exportName: 'fails', name: 'fails', options: {maxRetries: 2}});
    expect(tasks).toContainEqual({modulePath: join(FIXTURES, 'typed.ts'), exportName: 'sumPoints', name: 'sum_points', options: {name: 'sum_points', ram: '128MB', timeout: '10s'}});
    expect(tasks).toContainEqual({modulePath: join(FIXTURES, 'plain.mjs'), exportName: 'default', name: 'plain', options: {compute: 'LOW', isolation: 'process', env: ['API_KEY']}});
    // helper.ts matches the pattern but declares no task.
    expect(tasks.filter((task) => task.modulePath.endsWith('helper.ts'))).toEqual([]);
  });

  it('returns nothing when no file matches', async () => {
    expect(await discoverTasks(FIXTURES, ['nothing/*.ts'])).toEqual({tasks: [], modules: new Map(), hashes: {}});
  });

  it('reports a module that throws at import with its file and stack', async () => {
    const error = await failureOf(discoverTasks(join(FIXTURES, 'broken'), ['*.ts']));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe('throws.ts failed to load: configuration missing at import');
    expect(error.details).toMatchObject({file: join(FIXTURES, 'broken', 'throws.ts'), stack: expect.stringContaining('throws.ts:5:')});
    expect(error.hint).toBeTypeOf('string');
  });

  it('reports a module that exits the process at import', async () => {
    const error = await failureOf(discoverTasks(join(FIXTURES, 'exits-at-import'), ['*.ts']));
    expect(error).toMatchObject({code: 'config_invalid', message: expect.stringContaining('exit code 7')});
  });

  it('gives up on a module that never finishes loading', async () => {
    await writeFile(join(dir, 'hangs.mjs'), 'setInterval(() => {}, 1000);\nawait new Promise(() => {});\n');
    const error = await failureOf(discoverTasks(dir, ['*.mjs'], {timeoutMs: 500}));
    expect(error).toMatchObject({code: 'config_invalid', message: 'loading the entry modules took longer than 500ms'});
  });

  it('refuses two tasks with the same name', async () => {
    await writeFile(join(dir, 'a.mjs'), 'import {task} from "capsule";\nexport const one = task({name: "same"}, () => 1);\n');
    await writeFile(join(dir, 'b.mjs'), 'import {task} from "capsule";\nexport const two = task({name: "same"}, () => 2);\n');
    const error = await failureOf(discoverTasks(dir, ['*.mjs']));
    expect(error).toMatchObject({code: 'config_invalid', message: 'task "same" is declared twice: in a.mjs (export one) and in b.mjs (export two)'});
  });

  it('loads modules without the daemon’s environment', async () => {
    process.env.CAPSULE_DAEMON_SECRET = 'not for modules';
    try {
      await writeFile(join(dir, 'env.mjs'), 'import {task} from "capsule";\nexport const env = task({name: JSON.stringify(Object.keys(process.env))}, () => 1);\n');
      const {
        tasks: [task],
      } = await discoverTasks(dir, ['env.mjs']);
      expect(task?.name).toBe('[]');
    } finally {
      delete process.env.CAPSULE_DAEMON_SECRET;
    }
  });

  it('stores a discovery under the content it loaded: a file saved again meanwhile is discovered afresh next time, never served stale', async () => {
    const cache = new DiscoveryCache({dir: join(dir, 'cache'), capsuleVersion: 'test', onWarning: (message) => expect.fail(message)});
    const reuse = {cache: {store: cache, reuse: true}};
    const file = join(dir, 'tasks', 'jobs.ts');
    const saved = 'import {task} from "capsule";\nexport const after = task(() => "after");\n';
    await mkdir(join(dir, 'tasks'));
    // Its top level stands for an editor saving the file after the daemon read it, before the discovery ended.
    await writeFile(file, `import {task} from "capsule";\nimport {writeFileSync} from "node:fs";\nwriteFileSync(new URL(import.meta.url), ${JSON.stringify(saved)});\nexport const before = task(() => "before");\n`);
    expect((await discoverTasks(dir, ['tasks/*.ts'], reuse)).tasks.map((task) => task.name)).toEqual(['before']);
    await cache.settled();
    expect(await cache.lookup(dir, [file])).toBeNull();
    expect((await discoverTasks(dir, ['tasks/*.ts'], reuse)).tasks.map((task) => task.name)).toEqual(['after']);
    await cache.settled();
    // Nothing changed since: the stored discovery fits.
    expect((await cache.lookup(dir, [file]))?.tasks.map((task) => task.name)).toEqual(['after']);
  });
});
