// Issue 2's figures: `capsule list --json` against a bare node start, and the daemon's idle memory.
import {readFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {BenchHome, round, rssMb, versusBareNode} from './harness.js';

const RUNS = 15;
const IDLE_MS = 10_000;

export async function benchFoundation() {
  const bench = new BenchHome();
  try {
    for (let index = 0; index < 10; index++) bench.capsule('project', 'add', bench.project(`p${index}`));
    const {capsuleMs: listMs, bareMs} = versusBareNode(['list', '--json'], bench.env, RUNS);
    const pid = Number(readFileSync(`${bench.home}/daemon.pid`, 'utf8'));
    await sleep(1000);
    const justServedMb = rssMb(pid);
    // Idle means no request for a while: V8 gives back heap pages it grew while busy some
    // seconds after the last activity (its memory reducer), as a daemon left alone would.
    await sleep(IDLE_MS - 1000);
    const idleMb = rssMb(pid);
    return [
      {name: 'node -e "" (bare start)', value: round(bareMs), unit: 'ms (median)', target: null},
      {name: 'capsule list --json (10 projects)', value: round(listMs), unit: 'ms (median)', target: null},
      {name: 'capsule list / bare node', value: round(listMs / bareMs, 2), unit: '×', target: '≤ 1.6×', pass: listMs / bareMs <= 1.6},
      {name: 'daemon RSS 1 s after the last request, 10 projects', value: round(justServedMb), unit: 'MB', target: null},
      {name: `daemon idle RSS (${IDLE_MS / 1000} s without requests), 10 projects`, value: round(idleMb), unit: 'MB', target: '≤ 60 MB', pass: idleMb <= 60},
    ];
  } finally {
    bench.close();
  }
}
