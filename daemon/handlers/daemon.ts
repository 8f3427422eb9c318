import {PROTOCOL_VERSION} from '../../src/protocol/index.js';
import type {DaemonStatus} from '../../src/protocol/index.js';
import {parseDuration} from '../../src/lib/duration.js';
import type {HandlerTable} from '../core/server.js';
import type {DaemonServices} from '../services.js';

export function daemonHandlers(daemon: DaemonServices): Pick<HandlerTable, 'daemon.status' | 'daemon.stop'> {
  return {
    'daemon.status': (): DaemonStatus => {
      const memory = process.memoryUsage();
      return {
        pid: process.pid,
        version: daemon.version,
        protocol: PROTOCOL_VERSION,
        startedAt: new Date(daemon.startedAt).toISOString(),
        uptimeMs: Date.now() - daemon.startedAt,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        socket: daemon.paths.socket,
        home: daemon.paths.home,
        projectCount: daemon.projects.size,
        nodeVersion: process.version,
      };
    },
    'daemon.stop': (params) => {
      const timeoutMs = parseDuration(params?.timeoutMs ?? 10_000, 'stop timeout');
      // Reply first: the shutdown closes this very connection.
      setImmediate(() => daemon.requestShutdown(timeoutMs));
      return {stopping: true};
    },
  };
}
