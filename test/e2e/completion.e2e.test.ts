import {execFile, execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {symlink, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BIN, TestHome} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';

// Shell completion as a person installs it, against a live daemon and without one, and the
// "did you mean" of a command line that names no command.

const TASK = "import {task} from 'capsule';\nexport const fetchStock = task({name: 'fetch_stock'}, async () => 'ok');\n";
const SCHEDULE = '[schedules.poll]\ntask = "fetch_stock"\ncron = "0 3 * * *"\n';

let home: TestHome;
/** A home no daemon ever runs in. */
let idle: TestHome;
/** A directory holding `capsule`, a link to bin/run.js, as an install puts one on PATH. */
let bin: string;
let shop: string;

beforeAll(async () => {
  home = await TestHome.create();
  idle = await TestHome.create();
  shop = await makeProject({'capsule.toml': projectToml('shop', SCHEDULE), 'tasks/stock.ts': TASK});
  home.removeOnCleanup(shop);
  bin = await home.scratch('capbin-');
  await symlink(BIN, join(bin, 'capsule'));
  const added = await home.run(['project', 'add', shop]);
  expect(added.code, added.stderr).toBe(0);
});

afterAll(async () => {
  await home?.cleanup();
  await idle?.cleanup();
});

function shell(program: string, args: string[], test: TestHome = home, cwd?: string): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(program, args, {env: {...test.env, PATH: `${bin}:${process.env.PATH}`}, cwd, timeout: 20_000}, (error, stdout, stderr) => {
      resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr});
    });
  });
}

/** What bash's completion function offers for the command line `words`, the last being the word under the cursor. */
async function bashComplete(words: string[], test: TestHome = home, cwd?: string): Promise<string[]> {
  const quoted = words.map((word) => `'${word}'`).join(' ');
  const result = await shell('bash', ['-c', `source <(capsule completion bash) && COMP_WORDS=(capsule ${quoted}) && COMP_CWORD=${words.length} && _capsule && printf '%s\\n' "\${COMPREPLY[@]}"`], test, cwd);
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter((line) => line !== '');
}

function installed(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], {stdio: 'ignore'});
    return true;
  } catch {
    return false;
  }
}

describe('shell completion', {timeout: 60_000}, () => {
  it('the bash script registers the completion of capsule', async () => {
    const result = await shell('bash', ['-c', 'source <(capsule completion bash) && complete -p capsule']);
    expect(result.stdout.trim()).toBe('complete -o default -F _capsule capsule');
  });

  it("completes commands, a topic's commands, flags, and the live daemon's tasks, schedules and runs", async () => {
    expect(await bashComplete(['sche'])).toEqual(['schedule', 'schedules']);
    expect(await bashComplete(['schedule', ''])).toEqual(['next', 'pause', 'resume', 'trigger']);
    expect(await bashComplete(['run', '--det'])).toEqual(['--detach']);
    expect(await bashComplete(['run', ''])).toEqual(['shop/fetch_stock']);
    expect(await bashComplete(['run', '--input', '{}', 'shop/'])).toEqual(['shop/fetch_stock']);
    expect(await bashComplete(['schedule', 'next', ''])).toEqual(['shop/poll']);
    expect(await bashComplete(['project', 'remove', ''])).toEqual(['shop']);
    // In the project's directory, its names bare too, as commands take them there.
    expect(await bashComplete(['schedule', 'pause', ''], home, join(shop, 'tasks'))).toEqual(['poll', 'shop/poll']);
    const run = await home.run(['run', 'shop/fetch_stock', '--detach']);
    expect(run.code, run.stderr).toBe(0);
    expect(await bashComplete(['show', 'run_'])).toEqual([run.stdout.trim()]);
  });

  it('without a daemon, completes commands and flags, at once and silently, and starts none', async () => {
    const started = Date.now();
    expect(await bashComplete(['run', ''], idle)).toEqual([]);
    expect(await bashComplete(['rest'], idle)).toEqual(['restart']);
    expect(await bashComplete(['stop', '--'], idle)).toContain('--no-autostart');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await idle.daemonPid()).toBeNull();
    expect(existsSync(join(idle.home, 'run', 'daemon.sock'))).toBe(false);
  });

  it('prints zsh and fish scripts their shells read without error', async (context) => {
    const zsh = await home.run(['completion', 'zsh']);
    const fish = await home.run(['completion', 'fish']);
    expect(zsh.stdout).toMatch(/^#compdef capsule\n/);
    expect(fish.stdout).toContain("complete -c capsule -f -a '(___capsule_complete)'");
    const dir = await home.scratch('capcomp-');
    const checked = [];
    for (const [program, text] of [['zsh', zsh.stdout], ['fish', fish.stdout]] as const) {
      if (!installed(program)) continue;
      const file = join(dir, `capsule.${program}`);
      await writeFile(file, text);
      const result = await shell(program, ['-n', file]);
      expect(result, `${program} -n`).toMatchObject({code: 0, stderr: ''});
      checked.push(program);
    }
    // Neither shell is needed to build capsule: where both are missing, only their scripts' shape is checked.
    if (checked.length === 0) context.skip('neither zsh nor fish is installed: `zsh -n` / `fish -n` not run');
  });

  it('refuses a shell it has no script for, naming the ones it has (exit 2)', async () => {
    const result = await home.run(['completion', 'powershell']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bash, zsh, fish');
  });
});

describe('did you mean', {timeout: 30_000}, () => {
  it('an unknown command suggests the nearest, exit 2', async () => {
    const result = await home.run(['sevices']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('capsule: "sevices" is not a command. Did you mean "services"?\nSee `capsule help` for the list of commands.\n');
  });

  it("an unknown command under a topic suggests the topic's nearest, in words", async () => {
    const result = await home.run(['schedule', 'nxt', 'shop/poll']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('capsule: "schedule nxt" is not a command. Did you mean "schedule next"?');
    expect(result.stderr).not.toContain('schedule:');
  });

  it('says when nothing is close, and answers --json with the error', async () => {
    const none = await home.run(['xyzzy', 'shop']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Nothing is close to it.\nSee `capsule help`');
    const json = await home.run(['sched', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {code: 'bad_input', message: '"sched" is not a command', hint: 'did you mean one of "schedule", "schedules"? `capsule help` lists the commands', details: {candidates: ['schedule', 'schedules']}},
    });
  });

  it('help for an unknown command is answered as the command is', async () => {
    for (const args of [['help', 'sevices'], ['sevices', '--help']]) {
      const result = await home.run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('capsule: "sevices" is not a command. Did you mean "services"?');
    }
    const topic = await home.run(['schedule', 'nxt', '--help']);
    expect(topic.stderr).toContain('Did you mean "schedule next"?');
    expect((await home.run(['schedule', 'next', '--help'])).code).toBe(0);
  });

  it("an unknown flag names the command's nearest", async () => {
    const result = await home.run(['list', '--tre']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Nonexistent flag: --tre. Did you mean --tree?');
  });
});
