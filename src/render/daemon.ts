import {formatDuration} from '../lib/duration.js';
import {formatSize} from '../lib/size.js';
import type {DaemonStatus} from '../protocol/index.js';
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
  ];
  return rows.map(([key, value]) => `${paint('dim', key.padEnd(9))}${value}`).join('\n');
}
