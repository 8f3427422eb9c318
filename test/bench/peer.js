// Issue 13's throughput figure: a burst of no-op runs through Capsule (thread isolation, every run
// persisted with the durable store's group commits) beside BullMQ 6, the peer a Node team would
// reach for, measured in one process, in the same run, interleaved round by round.
//
// Fair by construction: both sides are driven from this one Node process, with the same count in
// flight, and a burst ends when the submitter holds every result. Capsule: one `client.run()` per
// run (submit and wait in one request) through capsule/client, its workers the daemon's threads;
// beside it the tasks section's way, a RunHandle and then `run.wait`, to show what a second
// request per run costs.
// BullMQ: `queue.add()` per job, a Worker with concurrency 50 and a no-op processor in this
// process, a job done when the Worker's `completed` event for it arrived. Its Redis is one the
// bench starts on a free loopback port, without persistence (`--save '' --appendonly no`) and,
// the closer match to Capsule's fdatasync, with `--appendonly yes --appendfsync everysec`.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {BenchHome, ROOT, median, percentile, round} from './harness.js';
import {REDIS_SERVER, startRedis} from './redis-server.js';
import {assertPersisted, processCpuMs} from './tasks.js';

const BURST = 1000;
/** Rounds measured, after one that is not (cold code, pools growing); each round runs every side once. A multiple of the sides' count, so each side goes first equally often. */
const ROUNDS = 8;
const SEQUENTIAL = 300;
const BULLMQ_CONCURRENCY = 50;

const REDIS_MODES = [
  {name: 'bullmq', args: ['--appendonly', 'no']},
  {name: 'bullmq (AOF everysec)', args: ['--appendonly', 'yes', '--appendfsync', 'everysec']},
];

export async function benchPeer() {
  const bench = new BenchHome();
  const redises = [];
  const peers = [];
  let client = null;
  try {
    const lines = ["import {task} from 'capsule';", "export const seq = task({isolation: 'thread'}, () => null);"];
    // One task per round: a task keeps 1000 finished runs, so no round prunes another's before it is checked on disk.
    for (let round = 0; round <= ROUNDS; round++) for (const task of ['burst', 'handle']) lines.push(`export const ${task}${round} = task({isolation: 'thread'}, () => null);`);
    bench.capsule('project', 'add', bench.project('peer', '', {'tasks/noop.ts': `${lines.join('\n')}\n`}));
    const {connect} = await import(pathToFileURL(join(ROOT, 'dist', 'client.js')).href);
    client = await connect({home: bench.home, autostart: false});
    const daemon = Number(readFileSync(join(bench.home, 'daemon.pid'), 'utf8'));
    const submitAndWait = async (target) => (await client.submit(target, {})).wait();
    // A build from before client.run (the "before" of the README's figures) waits with a second request.
    const run = client.run ? (target) => client.run(target, {}) : submitAndWait;
    const capsuleSide = (name, once, task) => ({
      name,
      once: (round) => once(`peer/${task}${round}`),
      sequentialOnce: () => once('peer/seq'),
      cpuMs: () => processCpuMs(daemon) + ownCpuMs(),
      check: (records) => assertPersisted(bench, records.map((record) => record.id)),
    });
    const capsule = capsuleSide('capsule thread', run, 'burst');
    // The tasks section's way (a RunHandle, then run.wait): the same runs at two requests each.
    const handles = capsuleSide('capsule thread, submit + wait', submitAndWait, 'handle');

    let skipped = null;
    try {
      for (const mode of REDIS_MODES) {
        const redis = await startRedis(mode.args);
        redises.push(redis);
        peers.push(await bullmqSide(mode.name, redis));
      }
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
      skipped = `skipped: no redis-server at ${REDIS_SERVER}`;
    }

    const sides = [capsule, handles, ...peers];
    const figures = new Map(sides.map((side) => [side.name, {rates: [], cpuMs: []}]));
    for (let round = 0; round <= ROUNDS; round++) {
      // Each round starts with the next side: the one after a burst meets what that burst left
      // behind (the daemon's history pruning and snapshot, Redis's memory), and no side may always be it.
      for (const side of [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)]) {
        const cpuBefore = side.cpuMs();
        const start = process.hrtime.bigint();
        const records = await Promise.all(Array.from({length: BURST}, () => side.once(round)));
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        const cpuMs = side.cpuMs() - cpuBefore;
        side.check?.(records);
        if (round === 0) continue;
        figures.get(side.name).rates.push(BURST / seconds);
        figures.get(side.name).cpuMs.push(cpuMs / BURST);
      }
    }
    const sequential = new Map();
    for (const side of sides) sequential.set(side.name, await timeSequential(side.sequentialOnce));

    const rows = [];
    const ours = median(figures.get(capsule.name).rates);
    for (const side of sides) {
      const {rates, cpuMs} = figures.get(side.name);
      const spread = `${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}`;
      rows.push(
        {name: `${side.name}: burst of ${BURST} (median of ${ROUNDS} rounds)`, value: Math.round(median(rates)), unit: `runs/s (${spread})`, target: side === capsule ? '≥ bullmq' : null, ...(side === capsule && peers.length > 0 ? {pass: ours >= median(figures.get(peers[0].name).rates)} : {})},
        {name: `${side.name}: CPU per burst run (${peers.includes(side) ? 'this process and redis-server' : 'daemon and its threads, plus the client'})`, value: round(median(cpuMs), 3), unit: 'ms', target: null},
        {name: `${side.name}: sequential p50`, value: round(sequential.get(side.name).p50, 2), unit: 'ms', target: null},
      );
    }
    for (const peer of peers) rows.push({name: `capsule thread / ${peer.name} burst`, value: round(ours / median(figures.get(peer.name).rates), 2), unit: '×', target: null});
    if (skipped !== null) rows.push({name: 'bullmq burst', value: skipped, unit: '', target: null});
    return rows;
  } finally {
    client?.close();
    for (const peer of peers) await peer.close();
    for (const redis of redises) await redis.stop();
    bench.close();
  }
}

/** BullMQ on `redis`: a queue, its Worker in this process, and the QueueEvents that sequential waits need. */
export async function bullmqSide(name, redis) {
  const {Queue, QueueEvents, Worker} = await import('bullmq');
  const connection = {host: '127.0.0.1', port: redis.port};
  const queueName = `peer-${redis.port}`;
  const queue = new Queue(queueName, {connection, defaultJobOptions: {removeOnComplete: 1000, removeOnFail: 1000}});
  const events = new QueueEvents(queueName, {connection});
  const finished = new Map();
  const worker = new Worker(queueName, async () => null, {connection, concurrency: BULLMQ_CONCURRENCY});
  worker.on('completed', (job) => {
    finished.get(job.id)?.();
    finished.delete(job.id);
  });
  // BullMQ reports a lost connection as an event and retries for ever: the bench stops at the first.
  let fail;
  const broken = new Promise((_, reject) => (fail = reject));
  broken.catch(() => {});
  for (const emitter of [queue, events, worker]) emitter.on('error', (error) => fail(new Error(`${name}: ${error.message}`)));
  const orBroken = (promise) => Promise.race([promise, broken]);
  await orBroken(Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]));
  return {
    name,
    async once() {
      const job = await orBroken(queue.add('noop', {}));
      // The job's `completed` comes after a round trip to Redis, so never before this line has run.
      await orBroken(new Promise((resolve) => finished.set(job.id, resolve)));
      return job;
    },
    async sequentialOnce() {
      const job = await orBroken(queue.add('noop', {}));
      await orBroken(job.waitUntilFinished(events));
    },
    cpuMs: () => ownCpuMs() + processCpuMs(redis.pid),
    async close() {
      await worker.close();
      await events.close();
      await queue.close();
    },
  };
}


export async function timeSequential(runOne) {
  for (let index = 0; index < 30; index++) await runOne();
  const latencies = [];
  for (let index = 0; index < SEQUENTIAL; index++) {
    const start = process.hrtime.bigint();
    await runOne();
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return {p50: percentile(latencies, 50)};
}

function ownCpuMs() {
  const {user, system} = process.cpuUsage();
  return (user + system) / 1000;
}
