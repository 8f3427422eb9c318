// Issue 14's figures: what durable runs cost. The cost of a persisted step (a run of 100 no-op
// steps against one of none), how soon a sleeping run whose wake time passed while no daemon ran
// is running again after `daemon start`, how late `ctx.sleep('1s')` wakes, and how soon a line a
// task logs reaches an attached `capsule run`. Times that cross processes are wall-clock stamps
// (performance.timeOrigin + performance.now()) taken where the thing happens: in the task, or
// where the bench reads the CLI's output, so no CLI's start-up is in them.
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import {loadavg} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {BenchHome, ROOT, median, percentile, round, waitFor as poll} from './harness.js';

const ISOLATIONS = ['thread', 'process'];
const STEPS = 100;
/** Pairs of runs (0 steps, STEPS steps) measured per isolation, after WARMUP pairs that are not. */
const STEP_ROUNDS = 15;
const WARMUP = 3;
const STEP_TARGET_MS = 0.2;

/** Steps a resumed run replays before its first new line. */
const RESUME_STEPS = 50;
/** Daemon restarts measured; each resumes one run of each isolation. */
const RESUME_ROUNDS = 5;
/** Long enough for the run to reach its sleep and the daemon to stop before it is over. */
const RESUME_SLEEP_MS = 6000;

/** Runs sleeping 1 s at once, per round, and rounds; then runs one after the other, per isolation. */
const NAPPERS = 50;
const NAP_ROUNDS = 3;
const SEQUENTIAL_NAPS = 20;
/** The length of the tasks' ctx.sleep('1s'). */
const NAP_MS = 1000;
const LATENESS_TARGET_MS = 20;

/** Lines logged per attached run, one every LOG_EVERY_MS; the first LOG_WARMUP are not counted (the CLI is still subscribing). */
const LOG_LINES = 400;
const LOG_EVERY_MS = 5;
const LOG_WARMUP = 20;
const LOG_TARGET_MS = 10;

const DEADLINE_MS = 60_000;

const TASKS = `import {appendFileSync, writeFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {task} from 'capsule';

const now = () => performance.timeOrigin + performance.now();

const steps = async ({n}, ctx) => {
  for (let i = 0; i < n; i++) await ctx.step('s' + i, () => i);
  return n;
};

// Each attempt stamps its first line (the last stamp is the resumed attempt's), and the first
// line after the replayed steps and sleep stamps the resumed attempt going on.
const resume = async ({n, sleepMs, stamp}, ctx) => {
  writeFileSync(stamp + '.attempt', String(now()));
  for (let i = 0; i < n; i++) await ctx.step('s' + i, () => i);
  await ctx.sleep(sleepMs);
  writeFileSync(stamp, String(now()));
  return null;
};

// Every attempt marks when it calls the sleep (the first attempt's mark is the one that counts:
// the sleep's end is ${NAP_MS} ms after it) and, once past it, when it woke.
const nap = async ({marks}, ctx) => {
  appendFileSync(marks, ctx.runId + ' called ' + now() + '\\n');
  await ctx.sleep('1s');
  appendFileSync(marks, ctx.runId + ' woke ' + now() + '\\n');
  return null;
};

const logger = async ({lines, everyMs}, ctx) => {
  for (let i = 0; i < lines; i++) {
    ctx.log('line ' + i + ' sent ' + now());
    await sleep(everyMs);
  }
  return lines;
};
`;

function taskModule() {
  const lines = [TASKS];
  for (const isolation of ISOLATIONS) {
    for (const name of ['steps', 'resume', 'nap', 'logger']) lines.push(`export const ${name}_${isolation} = task({isolation: '${isolation}', timeout: '1m'}, ${name});`);
  }
  return `${lines.join('\n')}\n`;
}

export async function benchDurable() {
  const bench = new BenchHome();
  const {connect} = await import(pathToFileURL(join(ROOT, 'dist', 'client.js')).href);
  const rows = [];
  let client = null;
  try {
    bench.capsule('project', 'add', bench.project('dur', '', {'tasks/t.ts': taskModule()}));
    client = await connect({home: bench.home, autostart: false});

    for (const isolation of ISOLATIONS) {
      const perStep = await stepCost(client, isolation);
      const value = median(perStep);
      rows.push(
        {name: `${isolation}: cost per persisted step (${STEPS}-step run − 0-step run) / ${STEPS}, median`, value: round(value, 3), unit: 'ms', target: `≤ ${STEP_TARGET_MS} ms`, pass: value <= STEP_TARGET_MS},
        {name: `${isolation}: cost per persisted step, min–max (${STEP_ROUNDS} pairs)`, value: `${round(Math.min(...perStep), 3)}–${round(Math.max(...perStep), 3)}`, unit: 'ms', target: null},
      );
    }

    for (const isolation of ISOLATIONS) {
      const late = [];
      for (let round_ = 0; round_ < NAP_ROUNDS; round_++) late.push(...(await napLateness(client, bench, isolation, NAPPERS, `${isolation}-burst-${round_}`)));
      const sequential = [];
      for (let index = 0; index < SEQUENTIAL_NAPS; index++) sequential.push(...(await napLateness(client, bench, isolation, 1, `${isolation}-seq-${index}`)));
      rows.push(...latenessRows(`${isolation}: ctx.sleep('1s') lateness, ${NAPPERS} runs at once (${late.length} sleeps)`, late));
      rows.push(...latenessRows(`${isolation}: ctx.sleep('1s') lateness, one run at a time (${sequential.length} sleeps)`, sequential));
    }

    for (const isolation of ISOLATIONS) {
      const latencies = await logLatencies(bench, isolation);
      const p99 = percentile(latencies, 99);
      rows.push(
        {name: `${isolation}: ctx.log → attached capsule run stdout, p50 (${latencies.length} lines, one every ${LOG_EVERY_MS} ms)`, value: round(percentile(latencies, 50), 2), unit: 'ms', target: null},
        {name: `${isolation}: ctx.log → attached capsule run stdout, p99`, value: round(p99, 2), unit: 'ms', target: `≤ ${LOG_TARGET_MS} ms`, pass: p99 <= LOG_TARGET_MS},
        {name: `${isolation}: ctx.log → attached capsule run stdout, max`, value: round(Math.max(...latencies), 2), unit: 'ms', target: null},
      );
    }

    client.close();
    client = null;
    const resumed = await resumeTimes(bench, connect);
    for (const isolation of ISOLATIONS) {
      const fromReturn = resumed[isolation].map((times) => times.fromReturn);
      rows.push(
        {name: `${isolation}: daemon start returned → resumed run's first new line (after ${RESUME_STEPS} replayed steps and its sleep), median`, value: round(median(fromReturn)), unit: 'ms', target: null},
        {name: `${isolation}: daemon start returned → resumed run's first new line, min–max (${RESUME_ROUNDS} restarts)`, value: `${round(Math.min(...fromReturn))}–${round(Math.max(...fromReturn))}`, unit: 'ms', target: null},
        {name: `${isolation}: of which replaying the ${RESUME_STEPS} steps and the sleep (attempt's first line → first new line), median`, value: round(median(resumed[isolation].map((times) => times.replay)), 1), unit: 'ms', target: null},
      );
    }
    rows.push({name: `daemon start (the command, with ${ISOLATIONS.length} runs to resume), median`, value: round(median(resumed.startMs)), unit: 'ms', target: null});
    // The targets hold for an idle machine; this says how idle it was.
    rows.push({name: 'load average at the end (1 min)', value: round(loadavg()[0], 2), unit: '', target: null});
    return rows;
  } finally {
    client?.close();
    bench.close();
  }
}

/** Per measured pair: (time of a STEPS-step run − time of a 0-step run) / STEPS, each submit → result through the client. */
async function stepCost(client, isolation) {
  const timeRun = async (n) => {
    const start = process.hrtime.bigint();
    const handle = await client.submit(`dur/steps_${isolation}`, {n});
    if ((await handle.result()) !== n) throw new Error(`dur/steps_${isolation} did not return ${n}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const perStep = [];
  for (let index = 0; index < WARMUP + STEP_ROUNDS; index++) {
    const none = await timeRun(0);
    const many = await timeRun(STEPS);
    if (index >= WARMUP) perStep.push((many - none) / STEPS);
  }
  return perStep;
}

/** Runs `count` runs that each sleep NAP_MS at once; each sleep's lateness, from the marks the tasks wrote. */
async function napLateness(client, bench, isolation, count, label) {
  const marks = join(bench.home, 'marks', `${label}.log`);
  mkdirSync(join(marks, '..'), {recursive: true});
  const handles = await Promise.all(Array.from({length: count}, () => client.submit(`dur/nap_${isolation}`, {marks})));
  await Promise.all(handles.map((handle) => handle.result()));
  const called = new Map();
  const woke = new Map();
  for (const line of readFileSync(marks, 'utf8').trimEnd().split('\n')) {
    const [runId, what, at] = line.split(' ');
    const seen = what === 'called' ? called : woke;
    if (!seen.has(runId)) seen.set(runId, Number(at));
  }
  return handles.map((handle) => {
    if (!called.has(handle.id) || !woke.has(handle.id)) throw new Error(`run ${handle.id} left no marks in ${marks}`);
    return woke.get(handle.id) - (called.get(handle.id) + NAP_MS);
  });
}

function latenessRows(what, late) {
  const p99 = percentile(late, 99);
  return [
    {name: `${what}, p50`, value: round(percentile(late, 50), 1), unit: 'ms', target: null},
    {name: `${what}, p99`, value: round(p99, 1), unit: 'ms', target: `≤ ${LATENESS_TARGET_MS} ms`, pass: p99 <= LATENESS_TARGET_MS},
    {name: `${what}, max`, value: round(Math.max(...late), 1), unit: 'ms', target: null},
  ];
}

/**
 * `capsule run` attached to a task that logs LOG_LINES lines, each with its send time; the
 * bench stamps each line as its chunk of the CLI's stdout arrives.
 */
async function logLatencies(bench, isolation) {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'run', `dur/logger_${isolation}`, '--input', JSON.stringify({lines: LOG_LINES, everyMs: LOG_EVERY_MS})], {env: bench.env, stdio: ['ignore', 'pipe', 'pipe']});
  const latencies = [];
  let pending = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const receivedAt = performance.timeOrigin + performance.now();
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) {
      const match = /line (\d+) sent ([\d.]+)/.exec(line);
      if (match && Number(match[1]) >= LOG_WARMUP) latencies.push(receivedAt - Number(match[2]));
    }
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`capsule run dur/logger_${isolation} exited ${code}: ${stderr}`);
  if (latencies.length !== LOG_LINES - LOG_WARMUP) throw new Error(`capsule run dur/logger_${isolation} printed ${latencies.length} of ${LOG_LINES - LOG_WARMUP} lines`);
  return latencies;
}

/**
 * Per restart: one run of each isolation records RESUME_STEPS steps and sleeps; the daemon is
 * stopped while they sleep and started after their wake time passed. Each figure is from the
 * moment `daemon start` returned to the stamp the resumed attempt wrote as its first line after
 * the replayed steps and sleep.
 */
async function resumeTimes(bench, connect) {
  const stamps = join(bench.home, 'stamps');
  mkdirSync(stamps, {recursive: true});
  const times = {startMs: [], ...Object.fromEntries(ISOLATIONS.map((isolation) => [isolation, []]))};
  for (let round_ = 0; round_ < RESUME_ROUNDS; round_++) {
    const client = await connect({home: bench.home, autostart: false});
    const runs = [];
    try {
      for (const isolation of ISOLATIONS) {
        const stamp = join(stamps, `${isolation}-${round_}`);
        const handle = await client.submit(`dur/resume_${isolation}`, {n: RESUME_STEPS, sleepMs: RESUME_SLEEP_MS, stamp});
        runs.push({isolation, id: handle.id, stamp});
      }
      for (const run of runs) run.wakeAt = Date.parse((await waitFor(async () => sleepingRecord(await client.get(run.id)), `run ${run.id} to sleep`)).wakeAt);
    } finally {
      client.close();
    }
    bench.capsule('daemon', 'stop', '--timeout', '10s');
    const wakeAt = Math.max(...runs.map((run) => run.wakeAt));
    if (Date.now() >= wakeAt) throw new Error(`the daemon stopped after the runs' wake time; make RESUME_SLEEP_MS (${RESUME_SLEEP_MS}) longer`);
    await waitFor(() => Date.now() > wakeAt + 100 || null, 'the wake time to pass');
    const startAt = performance.timeOrigin + performance.now();
    bench.capsule('daemon', 'start');
    const returnedAt = performance.timeOrigin + performance.now();
    times.startMs.push(returnedAt - startAt);
    for (const run of runs) {
      const resumedAt = await waitFor(() => (existsSync(run.stamp) ? Number(readFileSync(run.stamp, 'utf8')) || null : null), `run ${run.id} to resume`);
      times[run.isolation].push({fromReturn: resumedAt - returnedAt, replay: resumedAt - Number(readFileSync(`${run.stamp}.attempt`, 'utf8'))});
    }
    const after = await connect({home: bench.home, autostart: false});
    try {
      for (const run of runs) await waitFor(async () => (await after.get(run.id)).status === 'succeeded', `run ${run.id} to succeed`);
    } finally {
      after.close();
    }
  }
  return times;
}

function sleepingRecord(run) {
  if (run.status === 'sleeping') return run;
  if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') throw new Error(`run ${run.id} ended ${run.status} before it slept`);
  return null;
}

const waitFor = (probe, what) => poll(probe, what, {deadlineMs: DEADLINE_MS, intervalMs: 2});
