// Issue 2's figures: `capsule list --json` against a bare node start, and the daemon's idle memory.
import {readFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {BIN, BenchHome, median, timeCommand} from './harness.js';

const RUNS = 15;

export async function benchFoundation() {
  const bench = new BenchHome();
  try {
    for (let index = 0; index < 10; index++) bench.capsule('project', 'add', bench.project(`p${index}`));
    // Warm the file cache for both commands, then interleave them so machine noise hits both alike.
    timeCommand(process.execPath, ['-e', ''], bench.env);
    timeCommand(process.execPath, [BIN, 'list', '--json'], bench.env);
    const bare = [];
    const list = [];
    for (let index = 0; index < RUNS; index++) {
      bare.push(timeCommand(process.execPath, ['-e', ''], bench.env));
      list.push(timeCommand(process.execPath, [BIN, 'list', '--json'], bench.env));
    }
    await sleep(1000);
    const pid = Number(readFileSync(`${bench.home}/daemon.pid`, 'utf8'));
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    const listMs = median(list);
    const bareMs = median(bare);
    return [
      {name: 'node -e "" (bare start)', value: round(bareMs), unit: 'ms (median)', target: null},
      {name: 'capsule list --json (10 projects)', value: round(listMs), unit: 'ms (median)', target: null},
      {name: 'capsule list / bare node', value: round(listMs / bareMs, 2), unit: '×', target: '≤ 1.6×', pass: listMs / bareMs <= 1.6},
      {name: 'daemon idle RSS, 10 projects', value: round(rssKb / 1024), unit: 'MB', target: '≤ 60 MB', pass: rssKb / 1024 <= 60},
    ];
  } finally {
    bench.close();
  }
}

function round(value, digits = 1) {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
