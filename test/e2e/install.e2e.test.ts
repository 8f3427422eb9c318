import {execFile} from 'node:child_process';
import {readFile, readdir} from 'node:fs/promises';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ROOT, TestHome, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';

// Capsule as a user installs it: the tarball `npm pack` makes, installed into a prefix of its
// own (as `npm install -g` does), run from directories outside the clone. And a Node service in
// a project that installs nothing, importing `capsule/service` from the daemon's copy.

const run = promisify(execFile);

interface Service {
  name: string;
  state: string;
  agent: boolean;
}

/** A service that embeds the agent: `ready` once registered. */
const AGENT_SERVICE = `import {agent} from 'capsule/service';
await agent({version: '1.2.3'});
console.log('ready');
setInterval(() => {}, 1000);
`;
const AGENT_TOML = '[services.agent]\ncommand = ["node", "service.mjs"]\nhealth = { heartbeat = true, interval = "500ms", timeout = "2s" }\n';

let home: TestHome;
/** The installed `capsule` executable. */
let installed: string;
let scratch: string;

beforeAll(async () => {
  home = await TestHome.create();
  scratch = await home.scratch('install-');
  // --ignore-scripts: `prepare` would rebuild dist/ under the other test files running now.
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], {cwd: ROOT});
  const tarball = (await readdir(scratch)).find((file) => file.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  const prefix = join(scratch, 'prefix');
  await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(scratch, tarball!)], {cwd: scratch});
  installed = join(prefix, 'bin', 'capsule');
}, 240_000);

afterAll(async () => {
  await home.cleanup();
});

/** The installed CLI, from `cwd`, against the test's home. */
async function capsule(args: string[], cwd: string): Promise<{code: number; stdout: string; stderr: string}> {
  try {
    const {stdout, stderr} = await run(installed, args, {cwd, env: home.env});
    return {code: 0, stdout, stderr};
  } catch (error) {
    const failure = error as {code: number; stdout: string; stderr: string};
    return {code: failure.code, stdout: failure.stdout, stderr: failure.stderr};
  }
}

describe('the packed tarball, installed into a prefix', {timeout: 120_000}, () => {
  it('ships the built CLI and nothing of the tests, and prints its version', async () => {
    const {stdout} = await run('tar', ['-tzf', join(scratch, (await readdir(scratch)).find((file) => file.endsWith('.tgz'))!)]);
    expect(stdout).toContain('package/dist/cli.cjs');
    expect(stdout).toContain('package/dist/service-register.js');
    expect(stdout).toContain('package/templates/basic/capsule.toml');
    expect(stdout).not.toContain('package/test/');
    expect(stdout).not.toContain('package/daemon/');
    expect(stdout).not.toContain('.cache');
    const version = await capsule(['--version'], scratch);
    expect(version.stdout).toMatch(/^capsule\/0\.\d+\.\d+ /);
  });

  it('inits the template outside the clone, brings it up and runs its task', async () => {
    const init = await capsule(['init', 'starter'], scratch);
    expect(init.code, init.stderr).toBe(0);
    const up = await capsule(['up'], join(scratch, 'starter', 'tasks'));
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('hello');
    const hello = await capsule(['run', 'hello', '--input', '{"name":"Ada"}', '--json'], join(scratch, 'starter'));
    expect(hello.code, hello.stderr).toBe(0);
    expect(JSON.parse(hello.stdout)).toMatchObject({status: 'succeeded', result: {greeting: 'Hello, Ada!'}});
    // The daemon that answered is the installed one, not the clone's.
    const {pid} = JSON.parse((await capsule(['daemon', 'status', '--json'], scratch)).stdout) as {pid: number};
    expect(await readFile(`/proc/${pid}/cmdline`, 'utf8')).toContain(join(scratch, 'prefix', 'lib', 'node_modules', 'capsule', 'dist', 'daemon.js'));
  });

  it("runs a Node service that imports capsule/service with nothing installed in its project", async () => {
    const root = await makeProject({'capsule.toml': projectToml('agents', AGENT_TOML), 'service.mjs': AGENT_SERVICE}, scratch);
    expect((await capsule(['up', root], scratch)).code).toBe(0);
    await waitFor(async () => {
      const {stdout} = await capsule(['services', 'agents', '--json'], scratch);
      const [service] = (JSON.parse(stdout) as {services: Service[]}).services;
      return service?.agent && service.state === 'healthy';
    }, {what: 'the agent service to register and be healthy', timeoutMs: 20_000});
    const logs = await capsule(['logs', 'agents/agent', '-n', '5'], scratch);
    expect(logs.stdout).toContain('ready');
  });
});

describe("a Node service of the clone's daemon", {timeout: 60_000}, () => {
  it('imports capsule/service without installing it, and keeps a copy its project installs', async () => {
    const root = await makeProject({'capsule.toml': projectToml('bare', AGENT_TOML), 'service.mjs': AGENT_SERVICE});
    home.removeOnCleanup(root);
    // A project's own `capsule` wins: here a stand-in that says which copy it is.
    const own = await makeProject({
      'capsule.toml': projectToml('owncopy', '[services.own]\ncommand = ["node", "own.mjs"]\n'),
      'own.mjs': "import {which} from 'capsule/service';\nconsole.log(`copy: ${which}`);\nsetInterval(() => {}, 1000);\n",
      'node_modules/capsule/package.json': JSON.stringify({name: 'capsule', type: 'module', exports: {'./service': './service.js', './package.json': './package.json'}}),
      'node_modules/capsule/service.js': "export const which = 'the project\\'s own';\n",
    });
    home.removeOnCleanup(own);
    // The clone's own CLI and daemon (bin/run.js): this home's daemon is the installed one, stopped first.
    expect((await home.run(['daemon', 'stop'])).code).toBe(0);
    expect((await home.run(['up', root])).code).toBe(0);
    expect((await home.run(['up', own])).code).toBe(0);
    await waitFor(async () => {
      const [service] = (await home.json<{services: Service[]}>(['services', 'bare'])).services;
      return service?.agent && service.state === 'healthy';
    }, {what: 'the agent service to register', timeoutMs: 20_000});
    await waitFor(async () => (await home.run(['logs', 'owncopy/own', '-n', '5'])).stdout.includes("copy: the project's own"), {what: "the project's own copy to be imported", timeoutMs: 20_000});
  });

  it('gives the preload to Node services only', async () => {
    const root = await makeProject({'capsule.toml': projectToml('shell', '[services.sh]\ncommand = "echo \\"options=[$NODE_OPTIONS]\\"; sleep 30"\n')});
    home.removeOnCleanup(root);
    expect((await home.run(['up', root])).code).toBe(0);
    const logs = await waitFor(async () => {
      const {stdout} = await home.run(['logs', 'shell/sh', '-n', '5']);
      return stdout.includes('options=[') ? stdout : null;
    }, {what: 'the shell service to print its NODE_OPTIONS'});
    expect(logs).not.toContain('service-register');
  });
});
