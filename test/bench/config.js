// Issue 12's figures: how long the daemon's main thread spends on the worst capsule.toml files
// the caps let through (src/config/bounds.ts), beside the bundled template. Each file is parsed
// and validated as the daemon does it, by src/config/parse.ts bundled as dist/daemon.js bundles it.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {build} from 'esbuild';
import {ROOT, median, round} from './harness.js';

const ROUNDS = 7;
const HEAD = '[project]\nname = "x"\n';
const CAP = 256 * 1024 - 64;

const fill = (line) => {
  let text = HEAD;
  for (let index = 0; text.length < CAP; index++) text += line(index);
  return text;
};

const FILES = {
  'the template': () => readFileSync(join(ROOT, 'templates/basic/capsule.toml'), 'utf8'),
  '256 KB of keys': () => fill((index) => `k${index} = 1\n`),
  '256 KB dotted key': () => `${HEAD}a${'.a'.repeat((CAP - HEAD.length) / 2)} = 1\n`,
  '9,000 unknown keys': () => HEAD + Array.from({length: 9_000}, (_, index) => `k${index} = 1`).join('\n'),
  '256 KB of services': () => fill((index) => `[services.s${index}]\ncommand = "node s.js"\nrestart = "always"\n`),
  '256 KB time zone': () => `${HEAD}[schedules.s]\ntask = "t"\ncron = "* * * * *"\ntimezone = "${'A'.repeat(CAP - 100)}"\n`,
};

export async function benchConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'capb-config-'));
  try {
    const outfile = join(dir, 'parse.mjs');
    await build({absWorkingDir: ROOT, entryPoints: ['src/config/parse.ts'], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', minify: true, logLevel: 'warning'});
    const {parseProjectConfig} = await import(pathToFileURL(outfile).href);
    return Object.entries(FILES).map(([name, make]) => {
      const text = make();
      const ms = [];
      for (let index = 0; index <= ROUNDS; index++) {
        const started = process.hrtime.bigint();
        try {
          parseProjectConfig(text, join(dir, 'capsule.toml'));
        } catch {
          // Refused, as the hostile ones must be; the time to say so is what counts.
        }
        // The first round warms the code up and is not counted.
        if (index > 0) ms.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      const spread = `${round(Math.min(...ms), 2)}–${round(Math.max(...ms), 2)}`;
      return {name: `parse + validate: ${name}`, value: round(median(ms), 2), unit: `ms (median of ${ROUNDS}, ${spread})`, target: null};
    });
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
