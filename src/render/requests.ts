import {formatDuration} from '../lib/duration.js';
import {formatSize} from '../lib/size.js';
import type {RunAttempt} from '../protocol/index.js';
import type {Paint} from './style.js';

/** A sandboxed attempt's HTTP requests under its line in `capsule show`: method, host, status, bytes, duration; a denied one says so in red. */
export function renderAttemptRequests(attempt: RunAttempt, paint: Paint): string[] {
  const requests = attempt.requests ?? [];
  const methodWidth = Math.max(0, ...requests.map((request) => request.method.length));
  const hostWidth = Math.max(0, ...requests.map((request) => request.host.length));
  const lines = requests.map((request) => {
    const status = request.status === null ? '-' : String(request.status);
    const line = `${request.method.padEnd(methodWidth)}  ${request.host.padEnd(hostWidth)}  ${status.padStart(3)}  ${formatSize(request.bytes).padStart(6)}  ${formatDuration(request.durationMs)}`;
    return `      ${request.denied ? `${paint('red', line)}  ${paint('red', 'denied')}` : line}`;
  });
  const dropped = attempt.requestsDropped ?? 0;
  if (dropped > 0) lines.push(paint('dim', `      … and ${dropped} more request${dropped === 1 ? '' : 's'}, counted, not listed`));
  return lines;
}
