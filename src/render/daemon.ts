import {formatDuration} from '../lib/duration.js';
import {formatSize} from '../lib/size.js';
import type {StopProgress} from '../client/daemon-process.js';
import type {DaemonStatus, RunRecord, SandboxStatus} from '../protocol/index.js';
import {RUN_GLYPHS} from './items.js';
import type {Paint} from './style.js';

export function renderDaemonStatus(status: DaemonStatus, paint: Paint): string {
  const rows: [string, string][] = [
    ['status', paint('green', 'running')],
    ['pid', String(status.pid)],
    ['version', `${status.version} (protocol ${status.protocol}, node ${status.nodeVersion})`],
    ['uptime', formatDuration(status.uptimeMs)],
    ['memory', `${formatSize(status.rssBytes)} RSS`],
    ['socket', status.socket],
    ['home', status.home],
    ['projects', String(status.projectCount)],
    ...(status.sandbox ? [['sandbox', renderSandbox(status.sandbox, paint)] as [string, string]] : []),
    ...(status.sessions ? [['sessions', renderSessionCounts(status.sessions)] as [string, string]] : []),
    ...(status.cluster ? [['node', renderClusterSummary(status.cluster, paint)] as [string, string]] : []),
  ];
  return rows.map(([key, value]) => `${paint('dim', key.padEnd(9))}${value}`).join('\n');
}

/** "3 open (1 busy), 1 lost". */
export function renderSessionCounts({idle, busy, lost}: NonNullable<DaemonStatus['sessions']>): string {
  return `${idle + busy} open${busy > 0 ? ` (${busy} busy)` : ''}${lost > 0 ? `, ${lost} lost` : ''}`;
}

/** "worker-a on redis://10.0.0.5:6379/0, 3 nodes up, 1 lost", or "laptop, alone on the file store". */
export function renderClusterSummary({node, backend, up, lost, reachable}: NonNullable<DaemonStatus['cluster']>, paint: Paint): string {
  if (backend === 'file') return `${node}, alone on the file store`;
  if (!reachable) return `${node} on ${backend}, ${paint('red', 'out of reach')} (reconnecting)`;
  return `${node} on ${backend}, ${up} node${up === 1 ? '' : 's'} up${lost > 0 ? paint('red', `, ${lost} lost`) : ''}`;
}

export function renderSandbox(sandbox: SandboxStatus, paint: Paint): string {
  if (sandbox.available) return sandbox.reason;
  return `${paint('red', 'unavailable')}: ${sandbox.reason}${sandbox.hint === null ? '' : `\n${' '.repeat(9)}${paint('dim', `fix: ${sandbox.hint}`)}`}`;
}

/** One line (two for the first) per step of `daemon stop`: plain lines, so a log or a pipe reads them as a terminal does. */
export function renderStopProgress(update: StopProgress, timeoutMs: number, paint: Paint): string {
  if (update.type === 'waiting') {
    const runs = update.runs.map((run) => `${run.namespace}/${run.task} ${run.id}`).join(', ');
    if (update.more) return `also waiting for ${runs}`;
    const count = update.runs.length === 1 ? '1 run' : `${update.runs.length} runs`;
    return `waiting up to ${formatDuration(timeoutMs)} for ${count} to finish: ${runs}\n${paint('dim', '(Ctrl-C stops the waiting, not the stop; a run still going at the timeout is interrupted, and queued again for the next start if it has retries left)')}`;
  }
  const {run, left} = update;
  const [glyph, tone] = RUN_GLYPHS[run.status];
  return `${paint(tone, glyph)} ${run.namespace}/${run.task} ${run.id} ${endedAs(run)} ${paint('dim', `(${left} left)`)}`;
}

function endedAs(run: RunRecord): string {
  if (run.attempts.at(-1)?.error?.type !== 'interrupted') return run.status;
  return run.status === 'queued' ? 'interrupted: queued again for the next start' : `interrupted: ${run.status}, no retries left`;
}
