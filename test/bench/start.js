// Issue 13, start: how soon a daemon with many projects answers, and how soon they have all loaded,
// cold (no discovery cache) and cached (restarted with nothing changed).
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {BenchHome, BIN, median, round, versusBareNode, waitFor} from './harness.js';
import {writeFleet} from './many-projects.js';

// BENCH_START_SIZES=100,500 BENCH_START_ROUNDS=3 (the defaults) trade the section's minutes for spread.
const SIZES = (process.env.BENCH_START_SIZES ?? '100,500').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_START_ROUNDS ?? 3);

function timedList(env) {
  const started = performance.now();
  const out = execFileSync(process.execPath, [BIN, 'list', '--json'], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
  return {ms: performance.now() - started, projects: JSON.parse(out).projects};
}

/**
 * How many times the daemon has logged that its start-up loads ended. Polled instead of `list`:
 * a CLI process every 50 ms would take a core of the two the daemon loads on.
 */
function loadsEnded(home) {
  const log = join(home, 'logs', 'daemon.log');
  return existsSync(log) ? (readFileSync(log, 'utf8').match(/ loaded \d+ projects in \d+ ms/g) ?? []).length : 0;
}

/** One start: how long `daemon start` took, ms from its return to the first `list` answered (and that list's own ms), and to every project loaded. */
async function oneStart(bench, count) {
  const endedBefore = loadsEnded(bench.home);
  const started = performance.now();
  bench.capsule('daemon', 'start');
  const returned = performance.now();
  const first = timedList(bench.env);
  const startMs = returned - started;
  const firstListMs = performance.now() - returned;
  const loading = first.projects.filter((project) => project.status === 'loading').length;
  await waitFor(() => loadsEnded(bench.home) > endedBefore, `${count} projects loaded`, {deadlineMs: 300_000, intervalMs: 20});
  const loadedMs = performance.now() - started;
  const {projects} = timedList(bench.env);
  const failed = projects.filter((project) => project.status !== 'ok');
  if (projects.length !== count || failed.length > 0) throw new Error(`bench: ${failed.length} of ${projects.length} projects did not load: ${failed[0]?.error?.message}`);
  return {startMs, firstListMs, listMs: first.ms, loadedMs, loading};
}

function spread(values) {
  return `${round(median(values), 0)} (${round(Math.min(...values), 0)}–${round(Math.max(...values), 0)})`;
}

export async function benchStart() {
  const figures = [];
  for (const count of SIZES) {
    const bench = new BenchHome();
    try {
      writeFleet(bench.home, count);
      const cold = [];
      const cached = [];
      for (let round_ = 0; round_ < ROUNDS; round_++) {
        rmSync(join(bench.home, 'discovery'), {recursive: true, force: true});
        cold.push(await oneStart(bench, count));
        bench.capsule('daemon', 'stop', '--timeout', '60s');
        cached.push(await oneStart(bench, count));
        if (round_ === ROUNDS - 1 && count === SIZES.at(-1)) {
          const {capsuleMs: capsule, bareMs: bare} = versusBareNode(['list', '--tree'], bench.env, 7);
          figures.push({name: `list --tree, ${count} projects vs bare node`, value: round(capsule / bare, 2), unit: `× (${round(capsule, 0)} vs ${round(bare, 0)} ms)`, target: '≤ 1.6×', pass: capsule / bare <= 1.6});
        }
        bench.capsule('daemon', 'stop', '--timeout', '60s');
      }
      const all = [...cold, ...cached];
      const firstList = all.map((start) => start.firstListMs);
      figures.push({name: `${count} projects: \`daemon start\` itself`, value: spread(all.map((start) => start.startMs)), unit: 'ms', target: '', pass: undefined});
      figures.push({name: `${count} projects: \`daemon start\` returned → first list answered`, value: spread(firstList), unit: 'ms, median (min–max)', target: '≤ 300 ms', pass: median(firstList) <= 300});
      figures.push({name: `${count} projects: that list's own latency`, value: spread(all.map((start) => start.listMs)), unit: 'ms', target: '', pass: undefined});
      figures.push({name: `${count} projects: listed loading in that first list`, value: spread(all.map((start) => start.loading)), unit: 'projects', target: '', pass: undefined});
      figures.push({name: `${count} projects: all loaded, cold`, value: spread(cold.map((start) => start.loadedMs)), unit: 'ms', target: count >= 500 ? '≤ 10 s' : '', pass: count >= 500 ? median(cold.map((start) => start.loadedMs)) <= 10_000 : undefined});
      figures.push({name: `${count} projects: all loaded, cached`, value: spread(cached.map((start) => start.loadedMs)), unit: 'ms', target: count >= 500 ? '≤ 2 s' : '', pass: count >= 500 ? median(cached.map((start) => start.loadedMs)) <= 2_000 : undefined});
    } finally {
      bench.close();
    }
  }
  return figures;
}
