// Issue 16's figures: a sandboxed no-op run (a bubblewrap process of its own per attempt) beside
// a plain `process` run and a bare `node -e ""`, all in the same run. Sequential runs are spaced
// so that each finds the spare its predecessor started ready ("with a warm spare"); back-to-back
// runs and a burst show what happens when spares cannot keep up.
import {spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {pathToFileURL} from 'node:url';
import {BenchHome, ROOT, median, percentile, round, timeCommand} from './harness.js';

const SEQUENTIAL = 40;
/** Long enough for a spare to boot on a loaded 2-core machine. */
const SPACING_MS = 400;
const BURST = 200;
const BARE_RUNS = 20;

export async function benchSandbox() {
  if (spawnSync('bwrap', ['--version']).status !== 0) return [{name: 'sandbox: skipped (no bubblewrap on PATH)', value: 0, unit: '', target: null}];
  const bench = new BenchHome();
  try {
    const tasks = ["import {task} from 'capsule';", "export const sandboxed = task({isolation: 'sandbox'}, () => null);", "export const burst = task({isolation: 'sandbox'}, () => null);", "export const plain = task({isolation: 'process'}, () => null);"];
    bench.capsule('project', 'add', bench.project('bench', '', {'tasks/noop.ts': `${tasks.join('\n')}\n`}));
    const {connect} = await import(pathToFileURL(join(ROOT, 'dist', 'client.js')).href);
    const client = await connect({home: bench.home, autostart: false});
    try {
      const once = async (task) => {
        const start = process.hrtime.bigint();
        const handle = await client.submit(`bench/${task}`, {});
        await handle.result();
        return Number(process.hrtime.bigint() - start) / 1e6;
      };
      // Warm-up: the first sandboxed run meets a cold spare and cold code; so does the first process one.
      for (let index = 0; index < 3; index++) {
        await once('sandboxed');
        await once('plain');
        await sleep(SPACING_MS);
      }
      const sandboxed = [];
      const plain = [];
      const bare = [];
      for (let index = 0; index < SEQUENTIAL; index++) {
        sandboxed.push(await once('sandboxed'));
        plain.push(await once('plain'));
        if (index < BARE_RUNS) bare.push(timeCommand(process.execPath, ['-e', ''], process.env));
        await sleep(SPACING_MS);
      }
      const backToBack = [];
      for (let index = 0; index < 10; index++) backToBack.push(await once('sandboxed'));
      const start = process.hrtime.bigint();
      await Promise.all(Array.from({length: BURST}, () => once('burst')));
      const throughput = BURST / (Number(process.hrtime.bigint() - start) / 1e9);
      const p50 = median(sandboxed);
      return [
        {name: 'sandbox: no-op run p50, warm spare', value: round(p50, 1), unit: 'ms', target: '≤ 25 ms', pass: p50 <= 25},
        {name: 'sandbox: no-op run p90, warm spare', value: round(percentile(sandboxed, 90), 1), unit: 'ms', target: null},
        {name: 'process: no-op run p50 (same run)', value: round(median(plain), 1), unit: 'ms', target: null},
        {name: 'bare node -e "" p50 (same run)', value: round(median(bare), 1), unit: 'ms', target: null},
        {name: 'sandbox: no-op run p50, back to back (spare still starting)', value: round(median(backToBack), 1), unit: 'ms', target: null},
        {name: `sandbox: burst of ${BURST} no-op runs`, value: round(throughput, 1), unit: 'runs/s', target: '≥ 100', pass: throughput >= 100},
      ];
    } finally {
      client.close();
    }
  } finally {
    bench.close();
  }
}
