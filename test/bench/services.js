// Issue 15's figures: what supervising services costs the daemon, and how fast a crashed one is
// back. Services' output goes to files the daemon follows (no helper process per service), so
// the cost per service is the daemon's own: its reader, watches and bookkeeping.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {BenchHome, median, percentile, round, rssMb, waitFor as poll} from './harness.js';

const SERVICES = 50;
const IDLE_MS = 10_000;
const CRASHES = 15;
/** Longer than min_uptime below, so every crash restarts after the first backoff step (100 ms). */
const STABLE_MS = 800;
const DEADLINE_MS = 60_000;

export async function benchServices() {
  const bench = new BenchHome();
  try {
    bench.capsule('project', 'add', bench.project('base'));
    const pid = Number(readFileSync(join(bench.home, 'daemon.pid'), 'utf8'));
    await sleep(IDLE_MS);
    const baseMb = rssMb(pid);

    const idle = Array.from({length: SERVICES}, (_, index) => `[services.s${index}]\ncommand = ["sh", "-c", "echo up; exec sleep 1000000"]\n`).join('');
    bench.capsule('project', 'add', bench.project('idle', idle));
    await waitFor(() => services(bench, 'idle').filter((service) => service.state === 'running').length === SERVICES, `${SERVICES} services to run`);
    await sleep(IDLE_MS);
    const withServicesMb = rssMb(pid);
    bench.capsule('stop', 'idle');

    const latencies = await crashLatencies(bench);
    const p50 = median(latencies);
    return [
      {name: 'daemon idle RSS, no services', value: round(baseMb), unit: 'MB', target: null},
      {name: `daemon idle RSS, ${SERVICES} idle services`, value: round(withServicesMb), unit: 'MB', target: null},
      {name: 'daemon RSS per service (output: files, no process of its own)', value: round(((withServicesMb - baseMb) * 1024) / SERVICES, 0), unit: 'KB', target: null},
      {name: `service crash → restarted (backoff 100 ms, ${CRASHES} crashes), median`, value: round(p50), unit: 'ms', target: '≤ 150 ms', pass: p50 <= 150},
      {name: 'service crash → restarted, min–max', value: `${round(Math.min(...latencies))}–${round(Math.max(...latencies))}`, unit: 'ms', target: null},
      {name: 'service crash → restarted, p90', value: round(percentile(latencies, 90)), unit: 'ms', target: null},
    ];
  } finally {
    bench.close();
  }
}

/** kill -9 of a service, to the first instruction of its next process (its shell stamps the wall clock), in ms. */
async function crashLatencies(bench) {
  const root = bench.project('crashy', `[services.c]\ncommand = ["sh", "-c", "echo $$ $(date +%s%N) >> started.log; exec sleep 1000000"]\nrestart = "always"\nbackoff = { initial = "100ms" }\nmin_uptime = "500ms"\nmax_restarts = 1000\n`);
  bench.capsule('project', 'add', root);
  const starts = () => {
    try {
      return readFileSync(join(root, 'started.log'), 'utf8').trimEnd().split('\n').filter(Boolean).map((line) => line.split(' ').map(Number));
    } catch {
      return [];
    }
  };
  const latencies = [];
  for (let crash = 0; crash < CRASHES; crash++) {
    const seen = await waitFor(() => (starts().length > crash ? starts() : null), 'the service to start');
    await sleep(STABLE_MS);
    const [pid] = seen[crash];
    const killedAt = performance.timeOrigin + performance.now();
    process.kill(pid, 'SIGKILL');
    const [, startedNs] = (await waitFor(() => (starts().length > crash + 1 ? starts() : null), 'the service to restart'))[crash + 1];
    latencies.push(startedNs / 1e6 - killedAt);
  }
  bench.capsule('stop', 'crashy');
  return latencies;
}

const waitFor = (probe, what) => poll(probe, what, {deadlineMs: DEADLINE_MS, intervalMs: 20});

function services(bench, namespace) {
  return JSON.parse(bench.capsule('services', namespace, '--json')).services;
}
