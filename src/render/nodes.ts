import type {NodeInfo} from '../protocol/index.js';
import {relativeTime} from './items.js';
import type {Paint} from './style.js';
import {renderTable} from './table.js';

/** One line per node, this one marked `*`; a lost node in red, with how long it has been silent. */
export function renderNodeTable(backend: string, nodes: NodeInfo[], options: {width: number; paint: Paint; now?: number}): string {
  const now = options.now ?? Date.now();
  const rows = nodes.map((node) => [
    `${node.name}${node.self ? ' *' : ''}`,
    node.state === 'lost' ? options.paint('red', 'lost') : options.paint('green', 'up'),
    node.version,
    `${node.running}/${node.capacity}`,
    `${node.load.toFixed(2)}/${node.cores}`,
    // Never "in 0ms": the daemon alone is heard of as it answers.
    relativeTime(new Date(Math.min(Date.parse(node.heartbeatAt), now)).toISOString(), now),
    `${node.host} pid ${node.pid}`,
  ]);
  const table = renderTable(['NODE', 'STATE', 'VERSION', 'RUNNING', 'LOAD', 'HEARTBEAT', 'PROCESS'], rows, options);
  return `${table}\n${options.paint('dim', `backend: ${backend}${backend === 'file' ? ' (this daemon alone; set `backend` in daemon.toml to share work with other nodes)' : ''}`)}`;
}
