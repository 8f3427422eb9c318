import {formatDuration} from '../src/lib/duration.js';
import {formatSize} from '../src/lib/size.js';
import type {RunRecord, StepRecord} from '../src/protocol/index.js';
import {RUN_GLYPHS, relativeTime} from '../src/render/items.js';
import type {StyleName} from '../src/render/style.js';

/** A run on one line: status, duration, attempts, error type, age, id. */
export function runFacts(run: RunRecord, now: number): {glyph: string; tone: StyleName; text: string} {
  const [glyph, tone] = RUN_GLYPHS[run.status];
  const duration = run.durationMs !== null ? formatDuration(run.durationMs) : run.startedAt ? formatDuration(Math.max(0, now - Date.parse(run.startedAt))) : '–';
  const attempts = `${run.attempts.length}×`;
  const error = run.error ? run.error.type : '';
  const text = `${run.status.padEnd(9)} ${duration.padStart(7)} ${attempts.padStart(3)} ${error.padEnd(11)} ${relativeTime(run.createdAt, now).padEnd(8)} ${run.id}`;
  return {glyph, tone, text};
}

/** "2025-01-02 03:00" in the schedule's zone (the zone the cron is read in); "2025-01-02 03:00:20" with `seconds`. */
export function fireTime(iso: string, timeZone: string, seconds = false): string {
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: seconds ? '2-digit' : undefined, hourCycle: 'h23'}).formatToParts(new Date(iso));
    const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
    return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}${seconds ? `:${part('second')}` : ''}`;
  } catch {
    return iso;
  }
}

/** "14:03:07" for a log line. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toTimeString().slice(0, 8);
}

const ENDED_STEP_GLYPHS: Record<'succeeded' | 'failed', [string, StyleName]> = {succeeded: ['✓', 'green'], failed: ['✗', 'red']};

/** A step on one line: key, kind, status, duration, tries, result size; what a waiting one waits for. */
export function stepFacts(step: StepRecord, now: number): {glyph: string; tone: StyleName; text: string} {
  const head = `${step.key.padEnd(12)} ${step.kind.padEnd(6)} ${step.status.padEnd(9)}`;
  // What a waiting step waits for comes first: the pane may be narrow, and its figures are not in yet.
  if (step.status === 'waiting') {
    // A waiting step wears the glyph of the run status it makes: sleeping, or waiting.
    const [glyph, tone] = step.kind === 'sleep' ? RUN_GLYPHS.sleeping : RUN_GLYPHS.waiting;
    const facts = [head.trimEnd()];
    if (step.prompt) facts.push(`asks "${step.prompt.question}"${step.prompt.choices ? ` [${step.prompt.choices.join('/')}]` : ''}${step.prompt.secret ? ' (secret)' : ''}`);
    if (step.signal !== null) facts.push(`waits for signal "${step.signal}"`);
    if (step.until !== null) facts.push(`${step.kind === 'sleep' ? 'wakes' : 'times out'} ${relativeTime(step.until, now)}`);
    return {glyph, tone, text: facts.join(' · ')};
  }
  const [glyph, tone] = ENDED_STEP_GLYPHS[step.status];
  const duration = step.durationMs === null ? '–' : formatDuration(step.durationMs);
  const size = step.resultBytes === null ? '' : formatSize(step.resultBytes);
  const figures = `${head} ${duration.padStart(7)} ${`${step.tries}×`.padStart(3)} ${size.padStart(7)}`;
  return {glyph, tone, text: step.error ? `${figures} · ${step.error.type}: ${step.error.message}` : figures};
}
