/** One run of a health probe against a live service. Never rejects: a failure is a result. */
import {spawn} from 'node:child_process';
import {connect} from 'node:net';
import {formatDuration} from '../../src/lib/duration.js';
import type {HealthConfig} from '../../src/config/services.js';
import {signalGroup} from './process-group.js';
import type {ReportedHealth} from './types.js';

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

export interface ProbeContext {
  cwd: string;
  env: Record<string, string>;
  /** Epoch ms of the last heartbeat (or of the start, before the first one). */
  lastHeartbeatAt(): number;
  /** What the embedded agent last reported with a heartbeat; null before any report. */
  reportedHealth(): ReportedHealth | null;
  now(): number;
}

/** Bytes of an exec probe's output kept to explain a failure. */
const EXEC_DETAIL_BYTES = 200;

export function runProbe(health: HealthConfig, context: ProbeContext, signal: AbortSignal): Promise<ProbeResult> {
  const {probe, timeoutMs} = health;
  switch (probe.kind) {
    case 'http':
      return probeHttp(probe.url, probe.expectStatus, timeoutMs, signal);
    case 'tcp':
      // A `{port}` left unfilled: the instance has no port (the config refuses that, so only a bug gets here).
      return probe.port === null ? Promise.resolve({ok: false, detail: 'no port to probe'}) : probeTcp(probe.host, probe.port, timeoutMs, signal);
    case 'exec':
      return probeExec(probe.argv, context, timeoutMs, signal);
    case 'heartbeat':
      return Promise.resolve(heartbeatVerdict(health, context));
  }
}

/** The service is expected to beat every interval (a beat late by more than the timeout fails) and not to report itself unwell. */
function heartbeatVerdict(health: HealthConfig, context: ProbeContext): ProbeResult {
  const age = context.now() - context.lastHeartbeatAt();
  if (age > health.intervalMs + health.timeoutMs) return {ok: false, detail: `no heartbeat for ${formatDuration(age)}`};
  const reported = context.reportedHealth();
  if (reported === null) return {ok: true, detail: 'heartbeat received'};
  const said = reported.detail === null ? '' : `: ${reported.detail}`;
  return reported.ok ? {ok: true, detail: `heartbeat received${said}`} : {ok: false, detail: `the service reports itself unhealthy${said}`};
}

/**
 * node:http without an agent: each probe opens and closes its own connection, so no pooled
 * socket outlives it. Loaded on the first HTTP probe: node:https brings TLS with it, which a
 * daemon without HTTP probes should not carry.
 */
async function probeHttp(url: string, expectStatus: number | null, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  const {get} = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  if (signal.aborted) return {ok: false, detail: 'probe cancelled'};
  return new Promise((resolve) => {
    const finish = (result: ProbeResult) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      request.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ok: false, detail: 'probe cancelled'});
    const timer = setTimeout(() => finish({ok: false, detail: `no answer within ${formatDuration(timeoutMs)}`}), timeoutMs);
    signal.addEventListener('abort', onAbort);
    const request = get(url, {agent: false}, (response) => {
      // The status is all a probe needs; the body is cut off, which must not raise an unhandled error.
      response.on('error', () => undefined);
      const status = response.statusCode ?? 0;
      const ok = expectStatus === null ? status >= 200 && status < 300 : status === expectStatus;
      finish({ok, detail: `HTTP ${status}${ok ? '' : `, expected ${expectStatus ?? '2xx'}`}`});
    });
    // 'on', not 'once': destroying the request may report an error after the verdict, which changes nothing.
    request.on('error', (error: NodeJS.ErrnoException) => finish({ok: false, detail: error.code ?? error.message}));
  });
}

function probeTcp(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({host, port});
    const finish = (result: ProbeResult) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ok: false, detail: 'probe cancelled'});
    const timer = setTimeout(() => finish({ok: false, detail: `no connection within ${formatDuration(timeoutMs)}`}), timeoutMs);
    signal.addEventListener('abort', onAbort);
    socket.once('connect', () => finish({ok: true, detail: `connected to ${host}:${port}`}));
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ok: false, detail: error.code ?? error.message}));
  });
}

function probeExec(argv: string[], context: ProbeContext, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const [program, ...args] = argv;
    const child = spawn(program!, args, {cwd: context.cwd, env: context.env, detached: true, stdio: ['ignore', 'pipe', 'pipe']});
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-EXEC_DETAIL_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let verdict: ProbeResult | null = null;
    const kill = (result: ProbeResult) => {
      verdict ??= result;
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    };
    const onAbort = () => kill({ok: false, detail: 'probe cancelled'});
    const timer = setTimeout(() => kill({ok: false, detail: `no exit within ${formatDuration(timeoutMs)}`}), timeoutMs);
    signal.addEventListener('abort', onAbort);
    const finish = (result: ProbeResult) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      // Whatever the probe left running in its group goes with it.
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      resolve(verdict ?? result);
    };
    child.on('error', (error: NodeJS.ErrnoException) => finish({ok: false, detail: `could not run ${program}: ${error.code ?? error.message}`}));
    child.once('exit', (code, exitSignal) => {
      const tail = output.trim();
      if (code === 0) finish({ok: true, detail: 'exit 0'});
      else finish({ok: false, detail: `${exitSignal ? `killed by ${exitSignal}` : `exit ${code}`}${tail ? `: ${tail}` : ''}`});
    });
  });
}
