// Issue 10's figure: what checking a run's requests against the protocol's schemas costs the
// daemon (`run.submit` then `run.wait`, the two requests of every run in the tasks burst).
// src/protocol/check.ts is bundled as dist/daemon.js bundles it, and timed in this process.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {build} from 'esbuild';
import {ROOT, median, round} from './harness.js';

const ROUNDS = 7;
const CHECKS = 100_000;

export async function benchProtocol() {
  const dir = mkdtempSync(join(tmpdir(), 'capb-protocol-'));
  try {
    const outfile = join(dir, 'check.mjs');
    await build({absWorkingDir: ROOT, entryPoints: ['src/protocol/check.ts'], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', minify: true, logLevel: 'warning'});
    const {checkParams} = await import(pathToFileURL(outfile).href);
    const submit = {target: {namespace: 'bench', task: 'burst0'}, input: {id: 7}, follow: false};
    const wait = {id: 'run_mwqdmw1q2w3e4r5t6y7u8i'};
    const perRunUs = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const started = process.hrtime.bigint();
      for (let index = 0; index < CHECKS; index++) {
        checkParams('run.submit', submit);
        checkParams('run.wait', wait);
      }
      // The first round warms the code up and is not counted.
      if (round > 0) perRunUs.push(Number(process.hrtime.bigint() - started) / 1000 / CHECKS);
    }
    const spread = `${round(Math.min(...perRunUs), 2)}–${round(Math.max(...perRunUs), 2)}`;
    return [{name: 'params check per run (run.submit + run.wait)', value: round(median(perRunUs), 2), unit: `µs (median of ${ROUNDS}, ${spread})`, target: null}];
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
