// `npm run bench`: runs every section, prints one table, writes test/bench/results.json.
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {cpus} from 'node:os';
import {benchCluster} from './cluster.js';
import {benchConfig} from './config.js';
import {benchDurable} from './durable.js';
import {benchFleet} from './fleet.js';
import {benchFoundation} from './foundation.js';
import {benchMemory} from './memory.js';
import {benchPeer} from './peer.js';
import {benchProtocol} from './protocol.js';
import {benchReliability} from './reliability.js';
import {benchSandbox} from './sandbox.js';
import {benchSchedules} from './schedules.js';
import {benchServices} from './services.js';
import {benchSessions} from './sessions.js';
import {benchStart} from './start.js';
import {benchTasks} from './tasks.js';
import {benchTui} from './tui.js';

// `npm run bench -- NAME` runs one section.
const sections = [
  ['foundation', benchFoundation],
  ['tasks', benchTasks],
  ['protocol', benchProtocol],
  ['tui', benchTui],
  ['schedules', benchSchedules],
  ['config', benchConfig],
  ['services', benchServices],
  ['reliability', benchReliability],
  ['durable', benchDurable],
  ['start', benchStart],
  ['fleet', benchFleet],
  ['memory', benchMemory],
  ['peer', benchPeer],
  ['sandbox', benchSandbox],
  ['sessions', benchSessions],
  ['cluster', benchCluster],
];
const only = process.argv[2];

const resultsFile = new URL('./results.json', import.meta.url);
// Running one section keeps the other sections' last figures.
const previous = only && existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
const results = {date: new Date().toISOString(), node: process.version, cpus: cpus().length, sections: {...previous.sections}};
const measured = [];
for (const [name, run] of sections) {
  if (only && only !== name) continue;
  process.stderr.write(`bench: ${name}...\n`);
  results.sections[name] = await run();
  measured.push(name);
}

const rows = measured.map((section) => [section, results.sections[section]]).flatMap(([section, figures]) => figures.map((figure) => [section, figure.name, `${figure.value} ${figure.unit}`, figure.target ?? '', figure.pass === undefined ? '' : figure.pass ? 'ok' : 'MISSED']));
const headers = ['section', 'figure', 'value', 'target', ''];
const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
for (const row of [headers, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
