import {formatDuration} from '../lib/duration.js';
import type {RunLogLine, RunProgress, RunRecord, StepRecord} from '../protocol/index.js';
import {formatSize} from '../lib/size.js';
import {RUN_GLYPHS, relativeTime} from './items.js';
import {renderAttemptRequests} from './requests.js';
import type {Paint} from './style.js';
import {renderTable} from './table.js';

const LEVEL_TONES = {log: null, info: 'cyan', warn: 'yellow', error: 'red'} as const;

export function renderLogLine(line: RunLogLine, paint: Paint): string {
  const time = line.time.slice(11, 23);
  const tone = LEVEL_TONES[line.level];
  const level = line.level === 'log' ? '' : `${tone ? paint(tone, line.level) : line.level} `;
  return `${paint('dim', time)} ${level}${line.message}`;
}

export function renderProgress(progress: RunProgress): string {
  const {current, total, message} = progress;
  if (total === null || total <= 0) return `… ${current}${message ? ` ${message}` : ''}`;
  const width = 20;
  const filled = Math.max(0, Math.min(width, Math.round((current / total) * width)));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${current}/${total}${message ? ` ${message}` : ''}`;
}

/** The final line(s) of an attached run: the result on success, the error otherwise. */
export function renderOutcome(run: RunRecord, paint: Paint): string {
  const [glyph, tone] = RUN_GLYPHS[run.status];
  const took = run.durationMs === null ? '' : ` in ${formatDuration(run.durationMs)}`;
  const tries = triesOf(run);
  const attempts = tries > 1 ? ` after ${tries} attempts` : '';
  const head = `${paint(tone, glyph)} ${run.namespace}/${run.task} ${run.id} ${run.status}${took}${attempts}`;
  if (run.status === 'succeeded') return `${head}\n${JSON.stringify(run.result, null, 2) ?? 'undefined'}`;
  return run.error ? `${head}\n${paint('red', run.error.type)}: ${run.error.message}` : head;
}

/** Attempts that ran the task to an end of its own (a result or a failure): one that stopped at a sleep or wait is the same try going on. */
function triesOf(run: RunRecord): number {
  let tries = 0;
  for (const attempt of run.attempts) if (attempt.suspended === undefined) tries++;
  return tries;
}

export function renderRunTable(runs: RunRecord[], options: {width: number; paint: Paint; now?: number}): string {
  if (runs.length === 0) return 'no runs';
  const now = options.now ?? Date.now();
  const rows = runs.map((run) => [
    run.id,
    `${RUN_GLYPHS[run.status][0]} ${run.status}`,
    `${run.namespace}/${run.task}`,
    String(triesOf(run)),
    run.durationMs === null ? '-' : formatDuration(run.durationMs),
    relativeTime(run.createdAt, now),
    run.error ? `${run.error.type}: ${run.error.message}` : '',
  ]);
  return renderTable(['RUN', 'STATUS', 'TASK', 'TRIES', 'TOOK', 'CREATED', 'ERROR'], rows, options);
}

/** An instant in the local time zone, with its offset: "2026-12-02 03:00:00 +01:00". */
export function localTime(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${zone}`;
}

/** When a scheduled run starts: "at 2026-12-02 03:00:00 +01:00 (in 10m)". */
export function renderWakeTime(wakeAt: string, now = Date.now()): string {
  return `at ${localTime(wakeAt)} (${relativeTime(wakeAt, now)})`;
}

/** What a submit got: "run_… scheduled at … (in 10m)", or "run_… queued". */
export function renderSubmitted(run: RunRecord, now = Date.now()): string {
  return `${run.id} ${run.status}${run.status === 'scheduled' && run.wakeAt !== null ? ` ${renderWakeTime(run.wakeAt, now)}` : ''}`;
}

export function renderRunDetails(run: RunRecord, paint: Paint, now = Date.now()): string {
  const [glyph, tone] = RUN_GLYPHS[run.status];
  const rows: [string, string][] = [
    ['run', run.id],
    ['task', `${run.namespace}/${run.task}`],
    ['status', `${paint(tone, glyph)} ${run.status}`],
  ];
  if (run.status === 'scheduled' && run.wakeAt !== null) rows.push(['runs', renderWakeTime(run.wakeAt, now)]);
  if (run.priority !== 0) rows.push(['priority', String(run.priority)]);
  if (run.idempotencyKey !== null) rows.push(['key', `${run.idempotencyKey} (idempotency, until ${run.idempotencyExpiresAt ?? '-'})`]);
  rows.push(
    ['created', run.createdAt],
    ['started', run.startedAt ?? '-'],
    ['finished', run.finishedAt ?? '-'],
    ['took', run.durationMs === null ? '-' : formatDuration(run.durationMs)],
    ['cpu', run.cpuMs === null ? '-' : `${run.cpuMs}ms`],
    ['memory', run.peakMemoryMb === null ? '-' : `${run.peakMemoryMb}MB peak`],
    ['parent', run.parentId ?? '-'],
    ['input', JSON.stringify(run.input)],
  );
  if (run.status === 'succeeded') rows.push(['result', JSON.stringify(run.result)]);
  if (run.error) rows.push(['error', `${run.error.type}: ${run.error.message}`]);
  const lines = rows.map(([key, value]) => `${paint('dim', key.padEnd(9))}${value}`);
  lines.push(paint('dim', 'attempts'));
  for (const attempt of run.attempts) {
    const worker = attempt.worker === undefined ? '' : ` (pid ${attempt.worker.pid})`;
    const outcome = attempt.error ? `  ${attempt.error.type}: ${attempt.error.message}` : attempt.suspended ? `  ${attempt.suspended}` : attempt.finishedAt === null ? '' : '  ok';
    lines.push(`  #${attempt.n} ${attempt.startedAt} → ${attempt.finishedAt ?? 'running'}${worker}${outcome}`, ...renderAttemptRequests(attempt, paint));
  }
  if (run.error?.stack) lines.push(paint('dim', run.error.stack));
  return lines.join('\n');
}

const STEP_GLYPHS = {succeeded: ['✓', 'green'], failed: ['✗', 'red'], waiting: ['◌', 'yellow']} as const;

/** `capsule show`'s steps: one line each, in the order the run called them. */
export function renderSteps(steps: StepRecord[], paint: Paint): string {
  const lines = [paint('dim', 'steps')];
  const width = Math.max(...steps.map((step) => step.key.length));
  for (const step of steps) {
    const [glyph, tone] = STEP_GLYPHS[step.status];
    const facts: string[] = [step.kind === 'step' ? '' : step.kind, step.status];
    if (step.durationMs !== null) facts.push(formatDuration(step.durationMs));
    if (step.tries > 1) facts.push(`${step.tries} tries`);
    facts.push(`attempt ${step.attempt}`);
    if (step.resultBytes !== null) facts.push(formatSize(step.resultBytes));
    if (step.status === 'waiting' && step.until !== null) facts.push(`${step.kind === 'sleep' ? 'until' : 'times out'} ${step.until}`);
    if (step.signal !== null) facts.push(`signal "${step.signal}"`);
    if (step.prompt !== null) facts.push(`asks "${step.prompt.question}"${step.prompt.choices ? ` [${step.prompt.choices.join('/')}]` : ''}${step.prompt.secret ? ' (secret)' : ''}`);
    if (step.error) facts.push(`${step.error.type}: ${step.error.message}`);
    lines.push(`  ${paint(tone, glyph)} ${step.key.padEnd(width)}  ${facts.filter((fact) => fact !== '').join(' · ')}`);
  }
  return lines.join('\n');
}
