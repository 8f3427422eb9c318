import {mkdir} from 'node:fs/promises';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {TestHome, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';

// Names without a namespace, typed inside a project's directory (or below it) and outside any:
// the CLI finds the project as git finds its repository, and says what it could have meant.

const SERVICE = (name: string) => `[services.${name}]\ncommand = ["node", "-e", "console.log('${name} up'); setInterval(() => {}, 1000)"]\n`;
const SCHEDULE = '[schedules.poll]\ntask = "fetch_stock"\ncron = "0 3 * * *"\n';
const TASK = (name: string, answer: string) => `import {task} from 'capsule';\nexport const t_${name} = task({name: '${name}'}, async () => '${answer}');\n`;

let home: TestHome;
let shop: string;
let depot: string;
/** A directory in no project. */
let outside: string;

beforeAll(async () => {
  home = await TestHome.create();
  shop = await makeProject({
    'capsule.toml': projectToml('shop', SERVICE('api') + SCHEDULE),
    'tasks/stock.ts': TASK('fetch_stock', 'from shop') + TASK('only_in_shop', 'shop only'),
    'tasks/deep/nested/.keep': '',
  });
  depot = await makeProject({'capsule.toml': projectToml('depot', SERVICE('worker')), 'tasks/stock.ts': TASK('fetch_stock', 'from depot')});
  outside = await home.scratch('outside-');
  await mkdir(join(outside, 'sub'));
  home.removeOnCleanup(shop, depot);
});

afterAll(async () => {
  await home.cleanup();
});

/** The run's final record, as `run --json` prints it. */
async function runIn(cwd: string, ...args: string[]): Promise<{code: number; record: {namespace: string; task: string; result: unknown} | null; stderr: string}> {
  const result = await home.run(['run', ...args, '--json'], {cwd});
  return {code: result.code, record: result.code === 0 ? JSON.parse(result.stdout) : null, stderr: result.stderr};
}

describe('names typed inside and outside a project', {timeout: 120_000}, () => {
  it('`up` from a directory below a project registers that project, and never offers to init a nested one', async () => {
    const up = await home.run(['up'], {cwd: join(shop, 'tasks', 'deep', 'nested')});
    expect(up.stderr).not.toContain('init');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`shop  ${shop}`);
    expect((await home.run(['up', depot])).code).toBe(0);
    const listed = await home.json<{projects: {namespace: string; root: string}[]}>(['project', 'list']);
    expect(listed.projects.map((project) => project.root).sort()).toEqual([depot, shop].sort());
  });

  it('inside a project, a bare name is its item even when another project has one of the same name', async () => {
    const here = await runIn(join(shop, 'tasks'), 'fetch_stock');
    expect(here.record, here.stderr).toMatchObject({namespace: 'shop', task: 'fetch_stock', result: 'from shop'});
    const there = await runIn(depot, 'fetch_stock');
    expect(there.record, there.stderr).toMatchObject({namespace: 'depot', task: 'fetch_stock', result: 'from depot'});

    const restart = await home.run(['restart', 'api'], {cwd: join(shop, 'tasks')});
    expect(restart.stdout, restart.stderr).toContain('restarted shop/api');
    const logs = await waitFor(async () => {
      const result = await home.run(['logs', 'api', '-n', '5'], {cwd: shop});
      return result.stdout.includes('api up') ? result : null;
    }, {what: 'the logs of shop/api', timeoutMs: 15_000});
    expect(logs.code).toBe(0);
    const next = await home.json<{fires: string[]}>(['schedule', 'next', 'poll', '--count', '2']);
    // Outside the project too: poll is the one schedule of that name.
    expect(next.fires).toHaveLength(2);
    const config = await home.run(['config', 'list', 'api'], {cwd: shop});
    expect(config.code, config.stderr).toBe(0);
  });

  it('inside a project, its namespace still names all of its services', async () => {
    const result = await home.run(['restart', 'depot'], {cwd: join(shop, 'tasks')});
    expect(result.stdout, result.stderr).toContain('restarted 1 service of depot');
  });

  it('outside any project, a name that one project has resolves to it; one that two have asks which', async () => {
    const unique = await runIn(join(outside, 'sub'), 'only_in_shop');
    expect(unique.record, unique.stderr).toMatchObject({namespace: 'shop', result: 'shop only'});

    const ambiguous = await home.run(['run', 'fetch_stock'], {cwd: outside});
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('"fetch_stock" is the name of 2 items');
    expect(ambiguous.stderr).toContain('"shop/fetch_stock" (task)');
    expect(ambiguous.stderr).toContain('"depot/fetch_stock" (task)');
  });

  it('an unknown bare name suggests the nearest item, those of the project typed in first', async () => {
    const typo = await home.run(['run', 'fetch_stok'], {cwd: depot});
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('no task is named "fetch_stok" in depot (the project of this directory) or any other project');
    expect(typo.stderr).toContain('did you mean "depot/fetch_stock"?');
    const short = await home.run(['logs', 'work'], {cwd: outside});
    expect(short.stderr).toContain('did you mean "depot/worker"?');
    const nothing = await home.run(['restart', 'zzzzzz'], {cwd: outside});
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('no service, schedule, task or project is named "zzzzzz"');
  });

  it('an unknown NAMESPACE/NAME suggests the nearest for every command, never an empty answer', async () => {
    const cases: [string[], string][] = [
      [['audit', 'shop/apx'], 'did you mean "shop/api"?'],
      [['runs', 'shop/fetch_stok'], 'did you mean "shop/fetch_stock"?'],
      [['runs', 'shpo'], 'did you mean "shop"?'],
      [['project', 'remove', 'shp'], 'did you mean "shop"?'],
      [['logs', 'shop/ap'], 'did you mean "shop/api"?'],
      [['schedule', 'next', 'shop/pol'], 'did you mean "shop/poll"?'],
      [['config', 'list', 'shop/apy'], 'did you mean "shop/api"?'],
      [['restart', 'depot/worke'], 'did you mean "depot/worker"?'],
    ];
    for (const [args, hint] of cases) {
      const result = await home.run(args, {cwd: outside});
      expect(result.code, `capsule ${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(2);
      expect(result.stderr, `capsule ${args.join(' ')}`).toContain(hint);
    }
  });

  it('in an unregistered project, a name nobody has says to register it', async () => {
    const stray = await makeProject({'capsule.toml': projectToml('stray'), 'tasks/t.ts': TASK('stray_task', 'x')});
    home.removeOnCleanup(stray);
    const result = await home.run(['run', 'stray_task'], {cwd: join(stray, 'tasks')});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`this directory's project (${stray}) is not registered: \`capsule up\` registers it`);
  });
});
