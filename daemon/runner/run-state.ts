/**
 * The run record's state machine. Every change returns a new record (the old one is never
 * mutated), so a record handed to a client or an event listener is a stable snapshot.
 *
 *   scheduled ──► queued ──► running ──► succeeded | failed | cancelled
 *                   │  ▲         │
 *                   │  ├─────────┘  (a retry, or an attempt interrupted by the daemon stopping)
 *                   │  └── sleeping | waiting ◄── running  (a durable sleep, wait or prompt)
 *                   └──► cancelled  (from any state that is not final)
 */
import {CapsuleError} from '../../src/lib/errors.js';
import type {AttemptWorker, EgressRequest, RunAttempt, RunError, RunRecord, RunStatus} from '../../src/protocol/index.js';
import {MAX_ATTEMPT_REQUESTS} from '../../src/protocol/runs.js';

const TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  scheduled: ['queued', 'cancelled'],
  queued: ['running', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled', 'queued', 'sleeping', 'waiting'],
  sleeping: ['queued', 'cancelled'],
  waiting: ['queued', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

/** What an attempt consumed, as the executor measured it. */
export interface AttemptUsage {
  cpuMs: number | null;
  peakMemoryMb: number | null;
}

export const NO_USAGE: AttemptUsage = {cpuMs: null, peakMemoryMb: null};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(run: RunRecord, to: RunStatus): void {
  if (canTransition(run.status, to)) return;
  throw new CapsuleError('internal', `run ${run.id} cannot go from ${run.status} to ${to}; allowed from ${run.status}: ${TRANSITIONS[run.status].join(', ') || 'nothing (it is final)'}`);
}

export interface NewRun {
  id: string;
  namespace: string;
  task: string;
  input: unknown;
  parentId: string | null;
  /** @default 0 */
  priority?: number;
  /** A delayed run: queued at this time (ms), `scheduled` until then. */
  runAt?: number | null;
  idempotency?: {key: string; expiresAt: number} | null;
}

// Every field named, no `{...fields, newKey}`: in Node 20's V8 an object spread followed by keys
// its source lacks makes a new hidden class per object (1.5–2 µs a key, measured, and garbage
// for the old generation), where one that only overwrites keys is a fast copy: this one took
// 38 µs a run, the state machine's largest cost in a burst, and 0.13 µs written out. The field
// order is the records' order on disk and on the wire.
export function newRun(run: NewRun, at: number): RunRecord {
  const runAt = run.runAt ?? null;
  const idempotency = run.idempotency ?? null;
  const delayed = runAt !== null && runAt > at;
  return {
    id: run.id,
    namespace: run.namespace,
    task: run.task,
    input: run.input,
    parentId: run.parentId,
    priority: run.priority ?? 0,
    wakeAt: delayed ? iso(runAt) : null,
    idempotencyKey: idempotency?.key ?? null,
    idempotencyExpiresAt: idempotency ? iso(idempotency.expiresAt) : null,
    status: delayed ? 'scheduled' : 'queued',
    result: null,
    error: null,
    attempts: [],
    createdAt: iso(at),
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    cpuMs: null,
    peakMemoryMb: null,
  };
}

/** queued → running, opening attempt n+1. */
export function startAttempt(run: RunRecord, at: number): RunRecord {
  assertTransition(run, 'running');
  const attempt: RunAttempt = {n: run.attempts.length + 1, startedAt: iso(at), finishedAt: null, error: null};
  return {...run, status: 'running', error: null, startedAt: run.startedAt ?? iso(at), attempts: [...run.attempts, attempt]};
}

/** running, unchanged: the open attempt's worker process, as it took the attempt. */
export function recordWorker(run: RunRecord, worker: AttemptWorker): RunRecord {
  assertAttemptOpen(run, 'has a worker to record');
  return withOpenAttempt(run, (open) => ({...open, worker}));
}

/** Whether the open attempt lists MAX_ATTEMPT_REQUESTS requests already: later ones are only counted (recordDroppedRequests). */
export function requestListFull(run: RunRecord): boolean {
  return (run.attempts.at(-1)?.requests?.length ?? 0) >= MAX_ATTEMPT_REQUESTS;
}

/** running, unchanged: an HTTP request of the open attempt, listed. */
export function recordRequest(run: RunRecord, request: EgressRequest): RunRecord {
  assertAttemptOpen(run, 'makes requests to record');
  if (requestListFull(run)) throw new CapsuleError('internal', `attempt ${run.attempts.length} of run ${run.id} lists ${MAX_ATTEMPT_REQUESTS} requests already: count the next ones`);
  return withOpenAttempt(run, (open) => ({...open, requests: [...(open.requests ?? []), request]}));
}

/** running, unchanged: `count` more requests of the open attempt than it lists. */
export function recordDroppedRequests(run: RunRecord, count: number): RunRecord {
  if (count === 0) return run;
  assertAttemptOpen(run, 'makes requests to count');
  return withOpenAttempt(run, (open) => ({...open, requestsDropped: (open.requestsDropped ?? 0) + count}));
}

function assertAttemptOpen(run: RunRecord, what: string): void {
  if (run.status !== 'running') throw new CapsuleError('internal', `run ${run.id} is ${run.status}: only a running attempt ${what}`);
}

function withOpenAttempt(run: RunRecord, change: (open: RunAttempt) => RunAttempt): RunRecord {
  const last = run.attempts.length - 1;
  return {...run, attempts: run.attempts.map((attempt, index) => (index === last ? change(attempt) : attempt))};
}

/** running → succeeded. */
export function succeedRun(run: RunRecord, result: unknown, usage: AttemptUsage, at: number): RunRecord {
  assertTransition(run, 'succeeded');
  return finish({...closeAttempt(run, null, usage, at), status: 'succeeded', result}, at);
}

/** How many of the run's attempts failed: what its retry budget is spent on (a suspended attempt is not a failure). */
export function failedAttempts(run: RunRecord): number {
  let failed = 0;
  for (const attempt of run.attempts) if (attempt.error !== null) failed++;
  return failed;
}

/**
 * running → sleeping | waiting: the attempt ended at a durable sleep, wait or prompt, its worker
 * freed. `wakeAt` (ms) is when the run moves on by itself: the sleep's end, the wait's timeout.
 */
export function suspendRun(run: RunRecord, to: 'sleeping' | 'waiting', wakeAt: number | null, usage: AttemptUsage, at: number): RunRecord {
  assertTransition(run, to);
  const closed = closeAttempt(run, null, usage, at);
  const attempts = closed.attempts.map((attempt, index) => (index === closed.attempts.length - 1 ? {...attempt, suspended: to} : attempt));
  return {...closed, attempts, status: to, wakeAt: wakeAt === null ? null : iso(wakeAt)};
}

/** scheduled | sleeping | waiting → queued: its time came, or its signal or answer did. */
export function wakeRun(run: RunRecord): RunRecord {
  assertTransition(run, 'queued');
  return {...run, status: 'queued', wakeAt: null};
}

/** running → queued (`retry`) or failed, recording the attempt's error. */
export function failAttempt(run: RunRecord, error: RunError, usage: AttemptUsage, at: number, retry: boolean): RunRecord {
  const to: RunStatus = retry ? 'queued' : 'failed';
  assertTransition(run, to);
  const closed: RunRecord = {...closeAttempt(run, error, usage, at), status: to, error};
  return retry ? closed : finish(closed, at);
}

/** queued | running → cancelled; a running attempt is closed with a `cancelled` error. */
export function cancelRun(run: RunRecord, message: string, usage: AttemptUsage, at: number): RunRecord {
  assertTransition(run, 'cancelled');
  const error: RunError = {type: 'cancelled', message, stack: null};
  const closed = run.status === 'running' ? closeAttempt(run, error, usage, at) : run;
  return finish({...closed, status: 'cancelled', error, wakeAt: null}, at);
}

function closeAttempt(run: RunRecord, error: RunError | null, usage: AttemptUsage, at: number): RunRecord {
  const attempts = run.attempts.map((attempt, index) => (index === run.attempts.length - 1 && attempt.finishedAt === null ? {...attempt, finishedAt: iso(at), error} : attempt));
  return {
    ...run,
    attempts,
    // CPU adds up over attempts: it is what the run cost. Memory is the highest any attempt reached.
    cpuMs: sumOrNull(run.cpuMs, usage.cpuMs),
    peakMemoryMb: maxOrNull(run.peakMemoryMb, usage.peakMemoryMb),
  };
}

function finish(run: RunRecord, at: number): RunRecord {
  return {...run, finishedAt: iso(at), durationMs: run.startedAt === null ? null : Math.max(0, at - Date.parse(run.startedAt))};
}

function sumOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : a + b;
}

function maxOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

// A burst records several state changes within one millisecond: format each instant once.
let lastInstant = Number.NaN;
let lastIso = '';

export function iso(at: number): string {
  if (at !== lastInstant) {
    lastIso = new Date(at).toISOString();
    lastInstant = at;
  }
  return lastIso;
}
