// `npm run bench`: runs every section, prints one table, writes test/bench/results.json.
import {writeFileSync} from 'node:fs';
import {cpus} from 'node:os';
import {benchFoundation} from './foundation.js';

const sections = [['foundation', benchFoundation]];
const only = process.argv[2];

const results = {date: new Date().toISOString(), node: process.version, cpus: cpus().length, sections: {}};
for (const [name, run] of sections) {
  if (only && only !== name) continue;
  process.stderr.write(`bench: ${name}...\n`);
  results.sections[name] = await run();
}

const rows = Object.entries(results.sections).flatMap(([section, figures]) => figures.map((figure) => [section, figure.name, `${figure.value} ${figure.unit}`, figure.target ?? '', figure.pass === undefined ? '' : figure.pass ? 'ok' : 'MISSED']));
const headers = ['section', 'figure', 'value', 'target', ''];
const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
for (const row of [headers, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
