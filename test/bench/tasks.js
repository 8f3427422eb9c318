// Issue 3's figures: a no-op task submitted through capsule/client (sequential latency, burst
// throughput with every run persisted) for both isolation kinds, `capsule run` end to end, and
// raw tinypool running a no-op worker measured in the same run, so Capsule's overhead shows as a ratio.
// Both sides get the same warm-up: sequential runs, then one burst that is not measured.
import {readFileSync, writeFileSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import Tinypool from 'tinypool';
import {BenchHome, ROOT, median, percentile, round, versusBareNode} from './harness.js';

const WARMUP = 50;
const SEQUENTIAL = 500;
/** Runs per burst: within the history kept per task (1000), so every run of a burst is still on disk to check. */
const BURST = 1000;
/** Bursts measured, after one that is not: the first meets cold code (JIT) and a pool still growing to its size. */
const BURSTS = 3;
const CLI_RUNS = 10;
/** USER_HZ, the unit of /proc stat CPU times. */
const CLOCK_TICKS_PER_SECOND = 100;

const ISOLATIONS = ['thread', 'process'];
const TARGETS = {thread: {p50: 2, throughput: 3000}, process: {p50: 2, throughput: 1500}};

export async function benchTasks() {
  const bench = new BenchHome();
  const rows = [];
  try {
    const raw = {};
    for (const isolation of ISOLATIONS) raw[isolation] = await measureTinypool(bench, isolation);

    bench.capsule('project', 'add', bench.project('bench', '', {'tasks/noop.ts': taskModule()}));
    const {connect} = await import(pathToFileURL(join(ROOT, 'dist', 'client.js')).href);
    const client = await connect({home: bench.home, autostart: false});
    try {
      for (const isolation of ISOLATIONS) {
        const ours = await measureCapsule(client, bench, isolation);
        const target = TARGETS[isolation];
        const base = raw[isolation];
        rows.push(
          {name: `tinypool ${isolation}: sequential p50`, value: round(base.p50, 3), unit: 'ms', target: null},
          {name: `tinypool ${isolation}: sequential p99`, value: round(base.p99, 3), unit: 'ms', target: null},
          {name: `tinypool ${isolation}: burst throughput`, value: Math.round(base.throughput), unit: 'runs/s', target: null},
          {name: `capsule ${isolation}: sequential p50`, value: round(ours.p50, 2), unit: 'ms', target: `≤ ${target.p50} ms`, pass: ours.p50 <= target.p50},
          {name: `capsule ${isolation}: sequential p99`, value: round(ours.p99, 2), unit: 'ms', target: null},
          {name: `capsule ${isolation}: p50 / tinypool p50`, value: round(ours.p50 / base.p50, 1), unit: '×', target: null},
          {name: `capsule ${isolation}: burst throughput (persisted)`, value: Math.round(ours.throughput), unit: 'runs/s', target: `≥ ${target.throughput}`, pass: ours.throughput >= target.throughput},
          {name: `capsule ${isolation}: tinypool / capsule throughput`, value: round(base.throughput / ours.throughput, 1), unit: '×', target: null},
          {name: `capsule ${isolation}: daemon CPU per burst run`, value: round(ours.daemonCpuMsPerRun, 3), unit: isolation === 'thread' ? 'ms (workers included)' : 'ms (child workers not included)', target: null},
        );
      }
    } finally {
      client.close();
    }

    const {capsuleMs: runMs, bareMs} = versusBareNode(['run', 'bench/seq'], bench.env, CLI_RUNS);
    rows.push(
      {name: 'capsule run bench/seq (end to end)', value: round(runMs), unit: 'ms (median)', target: null},
      {name: 'capsule run / bare node start', value: round(runMs / bareMs, 1), unit: '×', target: null},
    );
    return rows;
  } finally {
    bench.close();
  }
}

/** No-op tasks: one for sequential runs and one per burst for each isolation, so no burst prunes another's history. */
function taskModule() {
  const lines = ["import {task} from 'capsule';"];
  for (const isolation of ISOLATIONS) {
    const suffix = isolation === 'thread' ? '' : 'Process';
    lines.push(`export const seq${suffix} = task({isolation: '${isolation}'}, () => null);`);
    lines.push(`export const warm${suffix} = task({isolation: '${isolation}'}, () => null);`);
    for (let burst = 0; burst < BURSTS; burst++) lines.push(`export const burst${suffix}${burst} = task({isolation: '${isolation}'}, () => null);`);
  }
  return `${lines.join('\n')}\n`;
}

async function measureCapsule(client, bench, isolation) {
  const suffix = isolation === 'thread' ? '' : 'Process';
  const once = async (task) => {
    const handle = await client.submit(`bench/${task}`, {});
    await handle.result();
    return handle.id;
  };
  const sequential = await timeSequential(() => once(`seq${suffix}`));
  await Promise.all(Array.from({length: BURST}, () => once(`warm${suffix}`)));
  const daemon = Number(readFileSync(join(bench.home, 'daemon.pid'), 'utf8'));
  const rates = [];
  let cpuMs = 0;
  for (let burst = 0; burst < BURSTS; burst++) {
    const cpuBefore = processCpuMs(daemon);
    const start = process.hrtime.bigint();
    const ids = await Promise.all(Array.from({length: BURST}, () => once(`burst${suffix}${burst}`)));
    rates.push(BURST / (Number(process.hrtime.bigint() - start) / 1e9));
    cpuMs += processCpuMs(daemon) - cpuBefore;
    assertPersisted(bench, ids);
  }
  return {...sequential, throughput: median(rates), daemonCpuMsPerRun: cpuMs / (BURST * BURSTS)};
}

/** CPU time (user + system) of a process and the threads in it, ms; the children it waited for are not in it. */
export function processCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function measureTinypool(bench, isolation) {
  const worker = join(bench.home, 'noop-worker.mjs');
  writeFileSync(worker, 'export default () => null;\n');
  const maxThreads = availableParallelism();
  const pool = new Tinypool({
    filename: pathToFileURL(worker).href,
    minThreads: 1,
    maxThreads,
    concurrentTasksPerWorker: 1,
    ...(isolation === 'thread' ? {runtime: 'worker_threads'} : {runtime: 'child_process', serialization: 'advanced'}),
  });
  try {
    const sequential = await timeSequential(() => pool.run({}));
    await Promise.all(Array.from({length: BURST}, () => pool.run({})));
    const rates = [];
    for (let burst = 0; burst < BURSTS; burst++) {
      const start = process.hrtime.bigint();
      await Promise.all(Array.from({length: BURST}, () => pool.run({})));
      rates.push(BURST / (Number(process.hrtime.bigint() - start) / 1e9));
    }
    return {...sequential, throughput: median(rates)};
  } finally {
    await pool.destroy();
  }
}

async function timeSequential(runOne) {
  for (let index = 0; index < WARMUP; index++) await runOne();
  const latencies = [];
  for (let index = 0; index < SEQUENTIAL; index++) {
    const start = process.hrtime.bigint();
    await runOne();
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return {p50: percentile(latencies, 50), p99: percentile(latencies, 99)};
}

/** Every run of the burst is on disk as succeeded once its result is answered: the journal (over the snapshot) holds its final record. */
export function assertPersisted(bench, ids) {
  const missing = notOnDisk(bench, ids);
  if (missing.length > 0) throw new Error(`${missing.length} of ${ids.length} runs are not on disk as succeeded (first: ${missing[0]})`);
}

function notOnDisk(bench, ids) {
  const onDisk = new Map();
  const snapshot = JSON.parse(readFileSync(join(bench.home, 'runs.json'), 'utf8'));
  for (const run of snapshot.runs) onDisk.set(run.id, run.status);
  // Only newline-terminated lines are whole: the text after the last newline may be a record still being appended.
  const lines = readFileSync(join(bench.home, 'runs.journal.jsonl'), 'utf8').split('\n').slice(0, -1);
  for (const line of lines) {
    const entry = JSON.parse(line);
    if (entry.deleted) onDisk.delete(entry.deleted);
    else onDisk.set(entry.id, entry.status);
  }
  return ids.filter((id) => onDisk.get(id) !== 'succeeded');
}
