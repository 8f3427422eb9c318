import {readdirSync, readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {packageDistDir} from '../../../daemon/executor/dist-files.js';
import {probeSandbox} from '../../../daemon/sandbox/availability.js';
import {SandboxPool} from '../../../daemon/sandbox/sandbox-pool.js';
import {DEFAULT_SANDBOX_POLICY} from '../../../src/config/sandbox-policy.js';
import {FIXTURES, isAlive} from '../executor/helpers.js';

let home: string;
let bwrap: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'capsule-sandbox-pool-'));
  const found = await probeSandbox();
  if (!found.available) throw new Error(`these tests need bubblewrap: ${found.reason}`);
  bwrap = found.bwrap;
});

afterAll(() => rm(home, {recursive: true, force: true}));

// A spare killed while it still starts (before bubblewrap made its session) used to survive, and the pool's close waited for it forever.
it('closes at once however early its spares are, and leaves none running', async () => {
  const spec = {root: FIXTURES.replace(/\/$/, ''), policy: DEFAULT_SANDBOX_POLICY, ramBytes: 64 * 1024 * 1024};
  for (let round = 0; round < 20; round++) {
    const pool = new SandboxPool({bwrap, distDir: packageDistDir(), socketDir: join(home, `s${round}`), maxSpares: 2, spareIdleMs: 60_000});
    const taken = round % 2 === 0 ? await pool.take(spec) : null;
    pool.warm({...spec, ramBytes: 32 * 1024 * 1024});
    if (round % 3 === 0) await new Promise((resolve) => setTimeout(resolve, round));
    const pid = taken === null ? null : await taken.hostPid;
    await pool.close();
    if (pid !== null) expect(isAlive(pid)).toBe(false);
    // bubblewrap's command line names the proxy socket it mounts, which is under this pool's directory.
    expect(processesMentioning(join(home, `s${round}`))).toEqual([]);
  }
}, 120_000);

function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}
