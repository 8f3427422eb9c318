// The daemon's V8 flags (src/startup/v8-flags.ts) only help while this Node's V8 still reads them
// as the daemon relies on: Node refuses an unknown flag on a command line, but setFlagsFromString
// ignores one silently, so a renamed flag would undo a trick without a word.
import {execFile} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {DAEMON_NODE_FLAGS, TIER_UP_SOONER, WORKER_THREADS_DEFAULT_YOUNG_GENERATION} from '../../src/startup/v8-flags.js';

function node(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((done) => {
    execFile(process.execPath, args, (error, stdout, stderr) => done({code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr}));
  });
}

describe('the flags', () => {
  it('are all known to this V8', async () => {
    for (const flag of [...DAEMON_NODE_FLAGS, WORKER_THREADS_DEFAULT_YOUNG_GENERATION, TIER_UP_SOONER]) {
      const result = await node([flag, '-e', '']);
      expect(result.code, `${flag}: ${result.stderr}`).toBe(0);
    }
    expect((await node(['--interrupt-budget-renamed=1', '-e', ''])).code).not.toBe(0);
  });
});

// The same churn as the e2e project's youngGeneration task: short-lived garbage, as a request's.
const CHURN = `(() => {
  let kept = [];
  for (let index = 0; index < 2_000_000; index++) {
    kept.push({index, text: 'item ' + index});
    if (kept.length > 50_000) kept = [];
  }
  return require('node:v8').getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size / 1024 / 1024;
})()`;

describe('the young generation', () => {
  it("stays capped for the daemon's own heap and goes back to the default for the worker threads it starts", async () => {
    const script = `
      require('node:v8').setFlagsFromString(${JSON.stringify(WORKER_THREADS_DEFAULT_YOUNG_GENERATION)});
      const own = ${CHURN};
      const {Worker} = require('node:worker_threads');
      new Worker(${JSON.stringify(`require('node:worker_threads').parentPort.postMessage(${CHURN})`)}, {eval: true})
        .once('message', (worker) => console.log(JSON.stringify({own, worker})));`;
    const capped = await node([...DAEMON_NODE_FLAGS, '-e', script]);
    expect(capped.code, capped.stderr).toBe(0);
    const {own, worker} = JSON.parse(capped.stdout) as {own: number; worker: number};
    // 4 MiB semi-spaces: 8 MiB of new space at most.
    expect(own).toBeLessThanOrEqual(8);
    expect(worker).toBeGreaterThan(8);
    // Without the cap the same churn grows the daemon's young generation past it.
    const uncapped = await node(['-e', `console.log(${CHURN})`]);
    expect(Number(uncapped.stdout)).toBeGreaterThan(8);
  });
});

describe('the interrupt budget', () => {
  it('set at run time, gets a hot function optimized in a quarter of the calls', async () => {
    // Counts the calls until V8 has optimized the function (status bit 16: TurboFan). Compiling
    // on the main thread keeps the count exact.
    const callsToOptimize = async (flag: string | null) => {
      const script = `
        ${flag ? `require('node:v8').setFlagsFromString(${JSON.stringify(flag)});` : ''}
        function work(n) { let sum = 0; for (let i = 0; i < 20; i++) sum += (n * i) % 7; return sum; }
        let calls = 0;
        while (calls < 100_000 && !(%GetOptimizationStatus(work) & 16)) work(calls++);
        console.log(calls);`;
      const result = await node(['--allow-natives-syntax', '--no-concurrent-recompilation', '-e', script]);
      expect(result.code, result.stderr).toBe(0);
      return Number(result.stdout);
    };
    const byDefault = await callsToOptimize(null);
    const sooner = await callsToOptimize(TIER_UP_SOONER);
    expect(byDefault).toBeLessThan(100_000);
    expect(sooner).toBeLessThan(byDefault / 2);
  });
});
