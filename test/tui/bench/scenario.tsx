// The dashboard benchmark's child process (bundled by test/bench/tui.js): renders the real
// dashboard to a terminal-sized fake stream, fed by a fake client, and prints one JSON line.
//   first-frame       ms from loading the TUI to the first frame showing the whole layout
//   stream RATE MS    CPU % of one core while RATE events/s arrive for MS milliseconds
import {performance} from 'node:perf_hooks';
import type {ProjectSummary, RunRecord, ServerEvent} from '../../../src/protocol/index.js';
import {project, schedule, service, task} from '../../render/fixtures.js';
import {FakeClient} from '../helpers/fake-client.js';
import {FakeKeyboard, FakeScreen} from '../helpers/terminal.js';
import {handlersFor, makeWorld, run} from '../helpers/world.js';

const PROJECTS = 10;
const TASKS = 40;
const SCHEDULES = 30;
const SERVICES = 30;

function bigWorld() {
  const world = makeWorld({projects: [], runs: []});
  for (let p = 0; p < PROJECTS; p++) {
    const namespace = `proj${String(p).padStart(2, '0')}`;
    const projectSummary: ProjectSummary = project({
      namespace,
      root: `/srv/${namespace}`,
      tasks: Array.from({length: TASKS}, (_, index) => task({name: `task_${String(index).padStart(3, '0')}`})),
      schedules: Array.from({length: SCHEDULES}, (_, index) => schedule({name: `sched_${String(index).padStart(3, '0')}`, task: 'task_000', nextFireAt: new Date(Date.now() + index * 600_000).toISOString()})),
      services: Array.from({length: SERVICES}, (_, index) => service({name: `svc_${String(index).padStart(3, '0')}`})),
    });
    world.projects.push(projectSummary);
  }
  return world;
}

async function start() {
  const startedAt = performance.now();
  const {renderDashboard} = await import('../../../tui/render.js');
  const world = bigWorld();
  const client = new FakeClient(handlersFor(world));
  const screen = new FakeScreen(120, 40, false);
  const keys = new FakeKeyboard();
  const shown = screen.until(`${TASKS} tasks · ${SCHEDULES} schedules · ${SERVICES} services`);
  const done = renderDashboard({connect: async () => client, stdout: screen.stream, stdin: keys.stream, color: true});
  await shown;
  return {client, screen, keys, done, firstFrameMs: performance.now() - startedAt};
}

async function firstFrame() {
  const {keys, done, firstFrameMs} = await start();
  keys.press('q');
  await done;
  return {firstFrameMs};
}

async function stream(rate: number, durationMs: number) {
  const {client, screen, keys, done} = await start();
  // Follow one service's log, as someone watching the dashboard would.
  await screen.after(() => keys.press('/'), 'Filter the tree');
  await screen.after(() => keys.press('svc_000'), 'filter /svc_000');
  await screen.after(() => keys.press('\r'), 'Service proj00/svc_000');
  const runs: RunRecord[] = Array.from({length: 200}, (_, index) => run({id: `run_${index}`, namespace: `proj0${index % 10}`, task: `task_00${index % 10}`, status: 'queued', attempts: []}));
  // Events arrive as JSON lines on the real socket; parsing is part of the cost.
  const lines = (sequence: number): string[] => {
    const index = sequence % runs.length;
    const record = {...runs[index]!, status: sequence % 3 === 0 ? 'running' : 'queued'};
    return [
      JSON.stringify({event: 'run.updated', data: record}),
      JSON.stringify({event: 'service.log', data: {namespace: 'proj00', name: 'svc_000', seq: sequence + 1, time: new Date().toISOString(), stream: 'stdout', line: `request ${sequence} served in ${sequence % 97}ms`}}),
      JSON.stringify({event: 'run.progress', data: {runId: record.id, current: sequence % 100, total: 100, message: null}}),
      JSON.stringify({event: 'service.updated', data: {...service({name: `svc_00${sequence % 10}`, restarts: sequence}), namespace: 'proj01'}}),
      JSON.stringify({event: 'service.log', data: {namespace: 'proj02', name: 'svc_001', seq: sequence + 1, time: new Date().toISOString(), stream: 'stderr', line: 'not followed'}}),
    ];
  };
  // Each tick sends what is due by the clock, so a late timer does not lower the rate.
  const tickMs = 10;
  let sequence = 0;
  const framesBefore = screen.frames;
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - wallBefore;
      while (sequence * 5 < (rate * Math.min(elapsed, durationMs)) / 1000) {
        for (const line of lines(sequence++)) {
          const {event, data} = JSON.parse(line) as ServerEvent;
          client.emit(event, data);
        }
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  const wallMs = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  const events = sequence * 5;
  keys.press('q');
  await done;
  return {cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100, eventsPerSecond: (events / wallMs) * 1000, framesPerSecond: ((screen.frames - framesBefore) / wallMs) * 1000};
}

const [mode, rate, duration] = process.argv.slice(2);
const result = mode === 'stream' ? await stream(Number(rate ?? 1000), Number(duration ?? 5000)) : await firstFrame();
process.stdout.write(`${JSON.stringify(result)}\n`);
