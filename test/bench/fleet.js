// Issue 13's stop and idle figures: a fleet of 500 projects with one service each. Once every
// service runs, the daemon's CPU over 30 s of idling (utime + stime from /proc/PID/stat) and its
// RSS; then `daemon stop`'s wall time against its timeout, and whether every service process is
// gone after it. Each run starts the daemon afresh on the same fleet.
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {BIN, BenchHome, median, round, rssMb, waitFor} from './harness.js';
import {writeFleet} from './many-projects.js';

const PROJECTS = Number(process.env.BENCH_FLEET_PROJECTS) || 500;
const RUNS = Number(process.env.BENCH_FLEET_RUNS) || 3;
const IDLE_MS = 30_000;
/** After every service runs: the daemon's start-up work (adoption settling, first probes) is done. */
const SETTLE_MS = 5_000;
const STOP_TIMEOUT_S = 10;
/** Generous: loading 500 projects took 1–5 minutes on a loaded machine before issue 13's start-up work. */
const RUNNING_DEADLINE_MS = 600_000;
const TICKS_PER_SECOND = 100;

export async function benchFleet() {
  const bench = new BenchHome();
  const cpu = [];
  const rss = [];
  const stops = [];
  let leftovers = 0;
  let cliFailures = 0;
  try {
    writeFleet(bench.home, PROJECTS, {services: true});
    for (let run = 0; run < RUNS; run++) {
      bench.capsule('daemon', 'start');
      const pid = Number(readFileSync(join(bench.home, 'daemon.pid'), 'utf8'));
      const pids = await waitFor(() => runningPids(bench), `${PROJECTS} services to run`, {deadlineMs: RUNNING_DEADLINE_MS, intervalMs: 1_000});
      await sleep(SETTLE_MS);
      const before = cpuTicks(pid);
      const start = performance.now();
      await sleep(IDLE_MS);
      cpu.push(((cpuTicks(pid) - before) / TICKS_PER_SECOND / ((performance.now() - start) / 1000)) * 100);
      rss.push(rssMb(pid));
      // Until the daemon's process is gone, whether or not the CLI waited that long.
      const stopStart = performance.now();
      const stop = spawnSync(process.execPath, [BIN, 'daemon', 'stop', '--timeout', `${STOP_TIMEOUT_S}s`], {env: bench.env, encoding: 'utf8'});
      const cliS = (performance.now() - stopStart) / 1000;
      if (stop.status !== 0) {
        cliFailures++;
        process.stderr.write(`bench: fleet: daemon stop exited ${stop.status} after ${round(cliS)} s: ${stop.stderr.trim()}\n`);
      }
      await waitFor(() => !alive(pid), `daemon ${pid} to exit`, {deadlineMs: RUNNING_DEADLINE_MS, intervalMs: 50});
      stops.push((performance.now() - stopStart) / 1000);
      leftovers += pids.filter(alive).length;
      process.stderr.write(`bench: fleet run ${run + 1}/${RUNS}: idle CPU ${round(cpu.at(-1))}%, RSS ${round(rss.at(-1))} MB, stop ${round(stops.at(-1))} s (CLI ${round(cliS)} s)\n`);
    }
    const stopMedian = median(stops);
    const cpuMedian = median(cpu);
    return [
      {name: `daemon idle CPU, ${PROJECTS} projects × 1 running service (30 s, ${RUNS} runs), median`, value: round(cpuMedian), unit: '% of a core', target: '≤ 2%', pass: cpuMedian <= 2},
      {name: 'daemon idle CPU, min–max', value: `${round(Math.min(...cpu))}–${round(Math.max(...cpu))}`, unit: '% of a core', target: null},
      {name: `daemon RSS, ${PROJECTS} projects × 1 running service, median`, value: round(median(rss)), unit: 'MB', target: null},
      {name: `daemon stop --timeout ${STOP_TIMEOUT_S}s until the daemon exited, ${PROJECTS} services, median`, value: round(stopMedian), unit: 's', target: `within the timeout (≤ ${STOP_TIMEOUT_S} s)`, pass: Math.max(...stops) <= STOP_TIMEOUT_S},
      {name: 'daemon stop, min–max', value: `${round(Math.min(...stops))}–${round(Math.max(...stops))}`, unit: 's', target: null},
      {name: '`daemon stop` commands that gave up before the daemon exited', value: `${cliFailures} of ${RUNS}`, unit: '', target: '0', pass: cliFailures === 0},
      {name: 'service processes left after the stops', value: leftovers, unit: '', target: '0', pass: leftovers === 0},
    ];
  } catch (error) {
    // Said before the home is removed: a failure there would hide this one.
    process.stderr.write(`bench: fleet failed: ${error.stack}\n`);
    throw error;
  } finally {
    bench.close();
  }
}

/** The pids of every service once all of them run; null before. */
function runningPids(bench) {
  let services;
  try {
    ({services} = JSON.parse(bench.capsule('services', '--json')));
  } catch (error) {
    // While 500 projects load, a request may be refused or time out: ask again.
    process.stderr.write(`bench: fleet: services --json failed, asking again: ${String(error.stderr ?? error.message).trim().split('\n')[0]}\n`);
    return null;
  }
  const running = services.filter((service) => service.state === 'running' && service.pid !== null);
  return running.length === PROJECTS ? running.map((service) => service.pid) : null;
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Alive and not a zombie. */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
