// Issue 12's figures: the daemon killed with SIGKILL three times under load, bounded. 1,000 runs
// (half in threads, half in child processes, some of them long), 20 services and a per-second
// schedule; between kills a new daemon is started as a user would. Every attempt marks its
// progress in a file the daemon never touches, so what really ran is known independently of
// what the daemon recorded. Targets: nothing lost, nothing run twice at once, no service
// restarted, no fire doubled or lost.
import {execFileSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {pathToFileURL} from 'node:url';
import {BenchHome, ROOT, waitFor as poll} from './harness.js';

const RUNS = 1000;
const SERVICES = 20;
const KILLS = 3;
/** Seconds between kills: long attempts (LONG_MS) are always in flight at a kill. */
const KILL_EVERY_MS = 6000;
/** Every tenth run is long (a process one, as in the issue), so attempts are cut off mid-way and outlive a quick restart if nothing kills them. */
const LONG_MS = 8000;
const PARALLEL = 16;
/** An attempt that marks progress this long after its daemon was killed outlived it. */
const ORPHAN_GRACE_MS = 1500;
const DEADLINE_MS = 240_000;

const TASKS = `import {appendFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {task} from 'capsule';

// One line per step: run, attempt, the daemon that runs it (a process worker's parent), step, time.
const marker = (isolation) => async ({ms, marks}, ctx) => {
  const daemon = isolation === 'thread' ? process.pid : process.ppid;
  const mark = (step) => appendFileSync(marks, \`\${ctx.runId} \${ctx.attempt} \${daemon} \${step} \${Date.now()}\\n\`);
  mark('start');
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await sleep(Math.min(50, until - Date.now()));
    mark('tick');
  }
  mark('end');
  return ms;
};
export const work_thread = task({name: 'work_thread', isolation: 'thread', maxRetries: ${KILLS + 2}, timeout: '1m'}, marker('thread'));
export const work_process = task({name: 'work_process', isolation: 'process', maxRetries: ${KILLS + 2}, timeout: '1m'}, marker('process'));
export const tick = task({name: 'tick', maxRetries: ${KILLS + 2}}, async () => ({}));
`;

// Prints a numbered line every 20 ms, across the kills: its log must hold each number once.
const SERVICE = `let line = 0;
setInterval(() => console.log('line', line++), 20);
`;

export async function benchReliability() {
  const bench = new BenchHome();
  bench.env.CAPSULE_MAX_PARALLEL = String(PARALLEL);
  const marks = join(bench.home, 'marks.log');
  writeFileSync(marks, '');
  const services = Array.from({length: SERVICES}, (_, index) => `[services.s${index}]\ncommand = ["node", "service.js"]\n`).join('');
  const schedule = `[schedules.tick]\ntask = "tick"\ncron = "* * * * * *"\noverlap = "allow"\ncatch_up = "all"\n`;
  const {connect} = await import(pathToFileURL(join(ROOT, 'dist', 'client.js')).href);
  let client = null;
  try {
    bench.capsule('project', 'add', bench.project('rel', services + schedule, {'tasks/t.ts': TASKS, 'service.js': SERVICE}));
    const before = await waitFor(() => runningServices(bench), 'every service to be running');
    // Fires are counted from the next whole second on, once the schedule runs.
    const firesFrom = Math.ceil(Date.now() / 1000) * 1000 + 1000;

    client = await connect({home: bench.home, autostart: false});
    const submitted = [];
    const submitting = (async () => {
      for (let index = 0; index < RUNS; index++) {
        const task = index % 2 === 0 ? 'rel/work_thread' : 'rel/work_process';
        const ms = index % 10 === 1 ? LONG_MS : 20 + ((index * 37) % 300);
        // A submit the daemon did not confirm (it was killed meanwhile) is tried again on the next one.
        for (;;) {
          try {
            submitted.push((await client.submit(task, {ms, marks})).id);
            break;
          } catch {
            await sleep(100);
            client = await reconnect(connect, bench, client);
          }
        }
        if (index % 50 === 49) await sleep(200);
      }
    })();

    const kills = [];
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(KILL_EVERY_MS);
      const pid = daemonPid(bench);
      process.kill(pid, 'SIGKILL');
      kills.push({pid, at: Date.now()});
      await waitFor(() => !isAlive(pid) || null, `daemon ${pid} to die`);
      bench.capsule('daemon', 'start');
    }
    await submitting;
    client = await reconnect(connect, bench, client);
    const runs = await waitFor(async () => {
      const records = await Promise.all(submitted.map((id) => client.get(id).catch(() => null)));
      return records.every((run) => run !== null && FINAL.has(run.status)) ? records : null;
    }, 'every run to end');
    const firesUntil = Math.floor(Date.now() / 1000) * 1000 - 1000;
    bench.capsule('schedule', 'pause', 'rel/tick');
    const after = await waitFor(() => runningServices(bench), 'every service to be running');

    const attempts = attemptsFrom(readFileSync(marks, 'utf8'));
    const lost = RUNS - runs.filter((run) => run.status === 'succeeded').length;
    const {events} = JSON.parse(bench.capsule('audit', 'rel', '-n', '5000', '--json'));
    const fires = countFires(events, firesFrom, firesUntil);
    if (fires.missing.length > 0) {
      const at = (ms) => new Date(ms).toISOString().slice(11, 23);
      process.stderr.write(`reliability: fires lost at ${fires.missing.map(at).join(', ')}; daemons killed at ${kills.map((kill) => at(kill.at)).join(', ')}\n`);
    }
    const interrupted = [...before].filter(([name, pid]) => after.get(name) !== pid).length;
    bench.capsule('stop', 'rel');
    const lines = [...before.keys()].map((name) => serviceLines(bench, name));
    const linesLost = lines.reduce((sum, seen) => sum + seen.lost, 0);
    const linesDoubled = lines.reduce((sum, seen) => sum + seen.doubled, 0);
    return [
      {name: `runs lost (${RUNS}, ${KILLS} × kill -9)`, value: lost, unit: 'runs', target: '0', pass: lost === 0},
      {name: 'runs executed twice while both daemons lived', value: overlapping(attempts), unit: 'runs', target: '0', pass: overlapping(attempts) === 0},
      {name: 'attempts that outlived their daemon', value: orphans(attempts, kills), unit: 'attempts', target: '0', pass: orphans(attempts, kills) === 0},
      {name: 'attempts interrupted and retried', value: runs.reduce((sum, run) => sum + run.attempts.filter((attempt) => attempt.error?.type === 'interrupted').length, 0), unit: 'attempts', target: null},
      {name: `services interrupted (${SERVICES})`, value: interrupted, unit: 'services', target: '0', pass: interrupted === 0},
      {name: `service output lines lost (${lines.reduce((sum, seen) => sum + seen.logged, 0)} logged)`, value: linesLost, unit: 'lines', target: '0', pass: linesLost === 0},
      {name: 'service output lines doubled', value: linesDoubled, unit: 'lines', target: '0', pass: linesDoubled === 0},
      {name: `schedule fires lost (${fires.seconds} s, "* * * * * *")`, value: fires.lost, unit: 'fires', target: '0', pass: fires.lost === 0},
      {name: 'schedule fires doubled', value: fires.doubled, unit: 'fires', target: '0', pass: fires.doubled === 0},
    ];
  } finally {
    client?.close();
    if (process.env.CAPSULE_BENCH_KEEP === '1') process.stderr.write(`reliability: kept ${bench.home}\n`);
    else bench.close();
  }
}

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

function daemonPid(bench) {
  return Number(readFileSync(join(bench.home, 'daemon.pid'), 'utf8'));
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const waitFor = (probe, what) => poll(probe, what, {deadlineMs: DEADLINE_MS, intervalMs: 200});

async function reconnect(connect, bench, client) {
  client?.close();
  return waitFor(() => connect({home: bench.home, autostart: false}).catch(() => null), 'the daemon to answer');
}

/** A stopped service's numbered lines in its log: how many, and the numbers missing or seen twice up to the last. */
function serviceLines(bench, name) {
  const log = readFileSync(join(bench.home, 'logs', 'services', 'rel', `${name}.log`), 'utf8');
  const numbers = [...log.matchAll(/ stdout line (\d+)$/gm)].map((match) => Number(match[1]));
  const distinct = new Set(numbers);
  const last = Math.max(-1, ...numbers);
  return {logged: numbers.length, lost: last + 1 - distinct.size, doubled: numbers.length - distinct.size};
}

/** Service name → pid, once all of them run; null before. */
function runningServices(bench) {
  let services;
  try {
    services = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bin', 'run.js'), 'services', '--json'], {env: bench.env, encoding: 'utf8'})).services;
  } catch {
    return null;
  }
  const running = services.filter((service) => service.state === 'running' && service.pid !== null);
  return running.length === SERVICES ? new Map(running.map((service) => [service.name, service.pid])) : null;
}

/** Each attempt's daemon and the times of its first and last marks, from the marks file. */
function attemptsFrom(text) {
  const attempts = new Map();
  for (const line of text.split('\n')) {
    const [runId, attempt, daemon, , at] = line.split(' ');
    if (at === undefined) continue;
    const key = `${runId} ${attempt}`;
    const known = attempts.get(key) ?? {runId, daemon: Number(daemon), first: Number(at), last: Number(at)};
    known.last = Number(at);
    attempts.set(key, known);
  }
  return [...attempts.values()];
}

/** Runs two of whose attempts were marking progress at the same time. */
function overlapping(attempts) {
  const byRun = new Map();
  for (const attempt of attempts) byRun.set(attempt.runId, [...(byRun.get(attempt.runId) ?? []), attempt]);
  let runs = 0;
  for (const list of byRun.values()) {
    const sorted = list.sort((a, b) => a.first - b.first);
    if (sorted.some((attempt, index) => index > 0 && attempt.first <= sorted[index - 1].last)) runs++;
  }
  return runs;
}

/** Attempts still marking progress after the daemon that ran them was killed. */
function orphans(attempts, kills) {
  const killedAt = new Map(kills.map((kill) => [kill.pid, kill.at]));
  return attempts.filter((attempt) => killedAt.has(attempt.daemon) && attempt.last > killedAt.get(attempt.daemon) + ORPHAN_GRACE_MS).length;
}

/**
 * Whole seconds in [from, until] without a fire, and with runs of more than one, live or caught
 * up (a fire recovered after a crash is audited again, with the same run).
 */
function countFires(events, from, until) {
  const perSecond = new Map();
  for (const event of events) {
    if (event.kind !== 'schedule.fire') continue;
    const {fireTime, runId} = event.details;
    if (fireTime >= from && fireTime <= until) perSecond.set(fireTime, new Set([...(perSecond.get(fireTime) ?? []), runId]));
  }
  const seconds = (until - from) / 1000 + 1;
  const missing = [];
  for (let at = from; at <= until; at += 1000) if (!perSecond.has(at)) missing.push(at);
  const doubled = [...perSecond.values()].filter((runs) => runs.size > 1).length;
  return {seconds, lost: missing.length, missing, doubled};
}
