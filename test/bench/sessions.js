// Issue 20's figures, against Seed S3's: a simple expression's round trip, opening a session from
// the warm pool, a console.log line reaching the caller, and 100 sessions open at once with the
// memory each costs. Spreads are quoted as p50/p99 of one run.
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {pathToFileURL} from 'node:url';
import {BenchHome, ROOT, median, percentile, round, rssMb} from './harness.js';

const ROUND_TRIPS = 500;
const OPENS = 40;
/** Long enough for the pool to start the host that replaces the one just taken. */
const OPEN_SPACING_MS = 300;
const LINES = 200;
const CONCURRENT = 100;

export async function benchSessions() {
  const bench = new BenchHome();
  try {
    bench.capsule('daemon', 'start');
    const {connect} = await import(pathToFileURL(join(ROOT, 'dist', 'client.js')).href);
    const client = await connect({home: bench.home, autostart: false});
    try {
      const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
      const session = await client.session();
      await session.execute('let n = 0');
      for (let index = 0; index < 50; index++) await session.execute('n += 1');
      const trips = [];
      for (let index = 0; index < ROUND_TRIPS; index++) {
        const start = process.hrtime.bigint();
        await session.execute('n + 1');
        trips.push(ms(start));
      }

      // Each line's send time travels in it: the caller's clock minus it is the line's latency.
      const lineLatency = [];
      const script = `for (let i = 0; i < ${LINES}; i++) { console.log(String(performance.timeOrigin + performance.now())); await new Promise((r) => setTimeout(r, 2)); }`;
      for await (const message of session.stream(script)) {
        if (message.type === 'output') for (const line of message.text.split('\n').filter(Boolean)) lineLatency.push(performance.timeOrigin + performance.now() - Number(line));
      }
      await session.close();

      const opens = [];
      for (let index = 0; index < OPENS; index++) {
        await sleep(OPEN_SPACING_MS);
        const start = process.hrtime.bigint();
        const opened = await client.session();
        opens.push(ms(start));
        await opened.close();
      }

      const start = process.hrtime.bigint();
      const many = await Promise.all(Array.from({length: CONCURRENT}, () => client.session()));
      const openAllMs = ms(start);
      await Promise.all(many.map((each, index) => each.execute(`const mine = ${index}`)));
      const rss = many.map((each) => rssMb(each.summary.pid)).filter((value) => value !== null);
      await Promise.all(many.map((each) => each.close()));

      const tripP50 = median(trips);
      const openP99 = percentile(opens, 99);
      const lineP99 = percentile(lineLatency, 99);
      return [
        {name: 'session: `n + 1` round trip p50', value: round(tripP50, 2), unit: 'ms', target: '≤ 2 ms (S3 < 5)', pass: tripP50 <= 2},
        {name: 'session: `n + 1` round trip p99', value: round(percentile(trips, 99), 2), unit: 'ms', target: null},
        {name: 'session: open from the warm pool p50', value: round(median(opens), 1), unit: 'ms', target: null},
        {name: 'session: open from the warm pool p99', value: round(openP99, 1), unit: 'ms', target: '≤ 20 ms (S3 < 100)', pass: openP99 <= 20},
        {name: 'session: console.log line → caller p50', value: round(median(lineLatency), 2), unit: 'ms', target: null},
        {name: 'session: console.log line → caller p99', value: round(lineP99, 2), unit: 'ms', target: '< 10 ms (S3)', pass: lineP99 < 10},
        {name: `session: ${CONCURRENT} opened at once`, value: round(openAllMs / 1000, 1), unit: 's', target: `${CONCURRENT} open (S3 100+)`, pass: many.length === CONCURRENT},
        {name: 'session: RSS of one idle session, median', value: round(median(rss), 1), unit: 'MB', target: null},
      ];
    } finally {
      client.close();
    }
  } finally {
    bench.close();
  }
}
