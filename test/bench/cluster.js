// Issue 18's figures: a burst of no-op runs through Capsule on a Redis backend, with one node and
// with two (the runs submitted half to each), beside raw BullMQ (a Worker of concurrency 50 on the
// same Redis, in this process) measured in the same run. Capsule keeps every run's record, takes
// its lock and limits, and runs each attempt as a BullMQ job on a node's pool; BullMQ runs a no-op.
// Its Redis is one the bench starts on a free port, without persistence.
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {BenchHome, ROOT, median, round} from './harness.js';
import {bullmqSide, timeSequential} from './peer.js';
import {REDIS_SERVER, startRedis} from './redis-server.js';

const BURST = 1000;
/** Rounds measured of each side, after one that is not (cold code, pools and workers growing). */
const ROUNDS = 5;
/** Capsule on Redis at least this share of raw BullMQ's burst. */
const GOAL = 0.7;

export async function benchCluster() {
  let redis;
  try {
    redis = await startRedis(['--appendonly', 'no']);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    return [{name: 'cluster', value: `skipped: no redis-server at ${REDIS_SERVER}`, unit: '', target: null}];
  }
  const homes = [];
  const clients = [];
  let peer = null;
  try {
    const {connect} = await import(pathToFileURL(join(ROOT, 'dist', 'client.js')).href);
    const node = (name) => {
      const bench = new BenchHome();
      writeFileSync(join(bench.home, 'daemon.toml'), `backend = "${redis.url}"\nnode = "${name}"\n`);
      homes.push(bench);
      return bench;
    };
    const a = node('bench-a');
    const root = a.project('shared', '', {'tasks/noop.ts': "import {task} from 'capsule';\nexport const noop = task({isolation: 'thread'}, () => null);\n"});
    a.capsule('project', 'add', root);
    clients.push(await connect({home: a.home, autostart: false}));
    const burst = async (on) => {
      const start = process.hrtime.bigint();
      await Promise.all(Array.from({length: BURST}, (_, at) => on[at % on.length].run('shared/noop', {})));
      return BURST / (Number(process.hrtime.bigint() - start) / 1e9);
    };
    const rates = async (on) => {
      const measured = [];
      for (let at = 0; at <= ROUNDS; at++) {
        const rate = await burst(on);
        if (at > 0) measured.push(rate);
      }
      return measured;
    };
    const sequential = (client) => timeSequential(() => client.run('shared/noop', {}));

    const oneNode = {rates: await rates(clients), p50: (await sequential(clients[0])).p50};
    const b = node('bench-b');
    b.capsule('project', 'add', root);
    clients.push(await connect({home: b.home, autostart: false}));
    const twoNodes = {rates: await rates(clients), p50: (await sequential(clients[0])).p50};

    peer = await bullmqSide('bullmq', redis);
    const bullmq = {rates: [], p50: 0};
    for (let at = 0; at <= ROUNDS; at++) {
      const start = process.hrtime.bigint();
      await Promise.all(Array.from({length: BURST}, () => peer.once()));
      if (at > 0) bullmq.rates.push(BURST / (Number(process.hrtime.bigint() - start) / 1e9));
    }
    bullmq.p50 = (await timeSequential(() => peer.sequentialOnce())).p50;

    const spread = (values) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
    const raw = median(bullmq.rates);
    const rows = [];
    for (const [name, side] of [['capsule on redis, 1 node', oneNode], ['capsule on redis, 2 nodes', twoNodes], ['raw bullmq, Worker concurrency 50', bullmq]]) {
      const ours = side !== bullmq;
      rows.push(
        {name: `${name}: burst of ${BURST} (median of ${ROUNDS} rounds)`, value: Math.round(median(side.rates)), unit: `runs/s (${spread(side.rates)})`, target: ours ? `≥ ${GOAL} × bullmq` : null, ...(ours ? {pass: median(side.rates) >= GOAL * raw} : {})},
        {name: `${name}: sequential p50`, value: round(side.p50, 2), unit: 'ms', target: null},
      );
    }
    rows.push({name: 'capsule 1 node / bullmq burst', value: round(median(oneNode.rates) / raw, 2), unit: '×', target: null});
    rows.push({name: 'capsule 2 nodes / bullmq burst', value: round(median(twoNodes.rates) / raw, 2), unit: '×', target: null});
    return rows;
  } finally {
    for (const client of clients) client.close();
    await peer?.close();
    for (const home of homes) home.close();
    await redis.stop();
  }
}
