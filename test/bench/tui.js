// Issue 6's figures: the dashboard's first full frame with 10 projects × 100 items, and the
// CPU it needs under a stream of 1,000 events a second. Each runs in a child process of its
// own (the real dashboard on a terminal-sized fake screen, fed by a fake client), so the CPU
// figure is that process's alone. It includes parsing the events, as the real client does,
// and also making them, which the real client does not: it errs on the high side.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {build} from 'esbuild';
import {aliases} from '../../src/startup/esbuild-plugins.js';
import {ROOT, median, round} from './harness.js';

const FIRST_FRAME_RUNS = 5;
const STREAM_RATE = 1000;
const STREAM_MS = 5000;

export async function benchTui() {
  const dir = mkdtempSync(join(tmpdir(), 'capb-tui-'));
  try {
    const script = join(dir, 'scenario.mjs');
    await build({
      absWorkingDir: ROOT,
      entryPoints: ['test/tui/bench/scenario.tsx'],
      outfile: script,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Ink loads its devtools hook only under DEV=true; the bundle gets an empty one.
      plugins: [noDevtools],
      // As in dist/tui.js: Ink draws live whatever CI says (src/startup/never-in-ci.ts).
      alias: aliases,
      define: {'process.env.NODE_ENV': '"production"'},
      banner: {js: "import {createRequire as __benchRequire} from 'node:module';const require=__benchRequire(import.meta.url);"},
      logLevel: 'warning',
    });
    const env = {...process.env, NODE_ENV: 'production'};
    // stderr is kept from the bench's output: Ink shows the cursor on it when the child exits.
    const child = (...args) => JSON.parse(execFileSync(process.execPath, [script, ...args], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}));

    const firstFrames = Array.from({length: FIRST_FRAME_RUNS}, () => child('first-frame').firstFrameMs);
    const firstFrameMs = median(firstFrames);
    const streamed = child('stream', String(STREAM_RATE), String(STREAM_MS));
    return [
      {name: 'dashboard first frame, 10 projects × 100 items', value: round(firstFrameMs), unit: 'ms (median)', target: '≤ 500 ms', pass: firstFrameMs <= 500},
      {name: `dashboard CPU under ${STREAM_RATE} events/s`, value: round(streamed.cpuPercent), unit: '% of one core', target: '≤ 25%', pass: streamed.cpuPercent <= 25},
      {name: 'dashboard frames drawn under that stream', value: round(streamed.framesPerSecond), unit: 'frames/s', target: '≤ 20', pass: streamed.framesPerSecond <= 20},
    ];
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

const noDevtools = {
  name: 'no-devtools',
  setup(builder) {
    builder.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'empty'}));
    builder.onLoad({filter: /.*/, namespace: 'empty'}, () => ({contents: 'export default {};'}));
  },
};
