// Issue 13's memory and listing figures. (a) The daemon's RSS with 1k, 10k and 100k finished
// no-op runs built in place, against the same daemon restarted with them: what building the
// history leaves behind beyond the history itself. (b) A soak (runs, project reloads, service
// restarts, log follows): RSS before (after a warm-up round) and after. (c) `run.list` with a
// status filter, as `capsule runs --status failed --limit 50` asks it, at 1k and at 100k runs.
// Runs are submitted in-process through capsule/client, in batches, to keep the section short.
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {BenchHome, ROOT, median, percentile, round, rssMb, waitFor} from './harness.js';

const SIZES = [1000, 10_000, 100_000];
/** Runs submitted at once: enough to keep the pool busy, few enough to keep the client's memory small. */
const BATCH = 1000;
/** One run in this many fails: what `--status failed` finds. */
const FAIL_EVERY = 10;
const LIST_CALLS = 300;
const SOAK_ROUNDS = 12;
const SOAK_RUNS_PER_ROUND = 2000;
const BLOAT_TARGET = 1.3;
const SOAK_TARGET = 1.2;
const LIST_TARGET = 1.5;

const TASKS = (stamp) => `import {task} from 'capsule';
// ${stamp}
export const noop = task(async (input: {fail?: boolean}) => {
  if (input.fail) throw new Error('failed on purpose');
  return null;
});
export const chatty = task(async (input: {lines: number}, ctx) => {
  for (let n = 0; n < input.lines; n++) ctx.log(\`line \${n} \${'x'.repeat(80)}\`);
  return {lines: input.lines};
});
`;

const SERVICE = `
[services.idle]
command = ["sh", "-c", "exec sleep 1000000"]
`;

export async function benchMemory() {
  const rows = [];
  rows.push(...(await historyFigures()));
  rows.push(...(await soakFigures()));
  return rows;
}

/** (a) and (c): one daemon building 100k runs in place, measured on the way and after a restart. */
async function historyFigures() {
  const bench = new BenchHome();
  // The 100k runs are of one task: the per-task limit is raised for them.
  bench.env.CAPSULE_RUN_HISTORY = String(SIZES.at(-1));
  const {connect} = await import(pathToFileURL(join(ROOT, 'dist', 'client.js')).href);
  const rows = [];
  let client = null;
  try {
    bench.capsule('project', 'add', bench.project('mem', '', {'tasks/t.ts': TASKS('history')}));
    client = await connect({home: bench.home, autostart: false});
    let built = 0;
    const inPlace = {};
    const restarted = {};
    const listing = {};
    const heap = {};
    for (const size of SIZES) {
      await submitNoops(client, built, size - built);
      built = size;
      inPlace[size] = await settledRss(client.daemonPid);
      heap[size] = {inPlace: heapUsedMb(bench)};
      progress(`${size} runs in place: RSS ${round(inPlace[size])} MB, heap used ${heap[size].inPlace} MB`);
      listing[size] = await listLatencies(client);
      // Restarted with the same runs: what the history itself costs.
      client.close();
      bench.capsule('daemon', 'restart');
      client = await connect({home: bench.home, autostart: false});
      await waitFor(async () => (await client.list({target: 'mem/noop', limit: 1})).length === 1, 'the restarted daemon to have its runs', {deadlineMs: 120_000, intervalMs: 200});
      // Same warm state as in place: the pool has started its workers.
      await submitNoops(client, built, 10);
      built += 10;
      restarted[size] = await settledRss(client.daemonPid);
      heap[size].restarted = heapUsedMb(bench);
      progress(`${size} runs restarted: RSS ${round(restarted[size])} MB, heap used ${heap[size].restarted} MB`);
    }
    for (const size of SIZES) {
      const ratio = inPlace[size] / restarted[size];
      rows.push(
        {name: `RSS with ${size} finished runs built in place`, value: round(inPlace[size]), unit: 'MB', target: null},
        {name: `RSS with ${size} finished runs, daemon restarted`, value: round(restarted[size]), unit: 'MB', target: null},
        {name: `V8 heap used with ${size} runs, in place / restarted`, value: `${heap[size].inPlace} / ${heap[size].restarted}`, unit: 'MB', target: null},
        {name: `RSS in place / restarted, ${size} runs`, value: round(ratio, 2), unit: '×', target: `≤ ${BLOAT_TARGET}`, pass: ratio <= BLOAT_TARGET},
      );
    }
    const [small, large] = [SIZES[0], SIZES.at(-1)];
    for (const size of [small, large]) {
      const times = listing[size];
      rows.push({name: `run.list --status failed --limit 50 at ${size} runs, median (p90; ${times.length} calls)`, value: `${round(median(times), 3)} (${round(percentile(times, 90), 3)})`, unit: 'ms', target: null});
    }
    const ratio = median(listing[large]) / median(listing[small]);
    rows.push({name: `run.list --status failed --limit 50: ${large} runs / ${small} runs`, value: round(ratio, 2), unit: '×', target: `≤ ${LIST_TARGET}`, pass: ratio <= LIST_TARGET});
    return rows;
  } finally {
    client?.close();
    bench.close();
  }
}

function progress(message) {
  process.stderr.write(`bench: memory: ${message}\n`);
}

function heapUsedMb(bench) {
  return round(JSON.parse(bench.capsule('daemon', 'status', '--json')).heapUsedBytes / 1024 / 1024);
}

/** Submits `count` runs of mem/noop in batches, one in FAIL_EVERY failing, and waits for them all. */
async function submitNoops(client, offset, count) {
  for (let start = 0; start < count; start += BATCH) {
    const handles = await Promise.all(Array.from({length: Math.min(BATCH, count - start)}, (_, index) => client.submit('mem/noop', {fail: (offset + start + index) % FAIL_EVERY === 0})));
    await Promise.all(handles.map((handle) => handle.wait()));
  }
}

/** Daemon-side cost of one filtered listing, through the client: request, filter, reply. */
async function listLatencies(client) {
  for (let index = 0; index < 20; index++) await client.list({status: 'failed', limit: 50});
  const times = [];
  for (let index = 0; index < LIST_CALLS; index++) {
    const start = process.hrtime.bigint();
    const runs = await client.list({status: 'failed', limit: 50});
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (runs.length !== 50) throw new Error(`bench: expected 50 failed runs, got ${runs.length}`);
  }
  return times;
}

/** The executor's default idle time after which a pool stops its workers beyond the warm one. */
const WORKER_IDLE_MS = 30_000;
/** RSS this long without falling is taken as settled. */
const SETTLED_SECONDS = 20;

/**
 * RSS once the pool has stopped its idle workers and RSS stops falling: V8, glibc and the pool
 * give memory back lazily after a burst, so a figure taken at once would measure the burst's
 * garbage and its workers rather than what stays. Both daemons compared are measured alike.
 */
async function settledRss(pid) {
  await new Promise((resolve) => setTimeout(resolve, WORKER_IDLE_MS + 2000));
  let last = rssMb(pid);
  let settled = 0;
  await waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = rssMb(pid);
      settled = now >= last - 1 ? settled + 1 : 0;
      last = now;
      // V8's memory reducer collects an idle heap some seconds apart: a shorter quiet spell
      // measured a heap still holding the build's garbage (274 MB in use, 82 MB 30 s later).
      return settled >= SETTLED_SECONDS;
    },
    'the daemon RSS to settle',
    {deadlineMs: 180_000, intervalMs: 0},
  );
  return last;
}

/** (b): the same work round after round; RSS after the first round and after the last. */
async function soakFigures() {
  const bench = new BenchHome();
  const {connect} = await import(pathToFileURL(join(ROOT, 'dist', 'client.js')).href);
  let client = null;
  try {
    const root = bench.project('soak', SERVICE, {'tasks/t.ts': TASKS('soak 0')});
    bench.project('other', '', {'tasks/t.ts': TASKS('other')});
    bench.capsule('project', 'add', root);
    bench.capsule('project', 'add', join(bench.home, 'projects', 'other'));
    client = await connect({home: bench.home, autostart: false});
    const round_ = async (n) => {
      for (const target of ['soak/noop', 'other/noop']) {
        for (let start = 0; start < SOAK_RUNS_PER_ROUND / 2; start += BATCH / 2) {
          const handles = await Promise.all(Array.from({length: BATCH / 2}, (_, index) => client.submit(target, {fail: index % FAIL_EVERY === 0})));
          await Promise.all(handles.map((handle) => handle.wait()));
        }
      }
      // A log follow: `capsule run` attached to a run that logs, end to end.
      bench.capsule('run', 'soak/chatty', '--input', '{"lines": 200}');
      const chatty = await Promise.all(Array.from({length: 20}, () => client.submit('soak/chatty', {lines: 50})));
      await Promise.all(chatty.map((handle) => handle.wait()));
      bench.capsule('restart', 'soak/idle');
      // A reload: the task file changed.
      writeFileSync(join(root, 'tasks', 't.ts'), TASKS(`soak ${n}`));
      await waitFor(async () => (await client.submit('soak/noop', {})).wait().then(() => true), 'the reloaded project to run', {deadlineMs: 30_000, intervalMs: 100});
    };
    await round_(0);
    await round_(1);
    const before = await settledRss(client.daemonPid);
    progress(`soak: RSS ${round(before)} MB after the warm-up, heap used ${heapUsedMb(bench)} MB`);
    for (let n = 2; n < SOAK_ROUNDS; n++) {
      await round_(n);
      progress(`soak: round ${n}: RSS ${round(rssMb(client.daemonPid))} MB`);
    }
    const after = await settledRss(client.daemonPid);
    progress(`soak: RSS ${round(after)} MB at the end, heap used ${heapUsedMb(bench)} MB`);
    const ratio = after / before;
    return [
      {name: `soak: RSS after 2 warm-up rounds`, value: round(before), unit: 'MB', target: null},
      {name: `soak: RSS after ${SOAK_ROUNDS - 2} more rounds (${SOAK_RUNS_PER_ROUND} runs, 21 logging runs, a service restart, a reload each)`, value: round(after), unit: 'MB', target: null},
      {name: 'soak: RSS after / before', value: round(ratio, 2), unit: '×', target: `≤ ${SOAK_TARGET}`, pass: ratio <= SOAK_TARGET},
    ];
  } finally {
    client?.close();
    bench.close();
  }
}
