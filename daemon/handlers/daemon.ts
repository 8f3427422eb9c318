import {PROTOCOL_VERSION} from '../../src/protocol/index.js';
import type {HandlerTable} from '../core/router.js';
import type {DaemonServices} from '../services.js';

export function daemonHandlers(daemon: DaemonServices): Pick<HandlerTable, 'daemon.status' | 'daemon.stop' | 'nodes.list'> {
  return {
    'daemon.status': () => {
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
        sandbox: daemon.sandbox(),
        sessions: daemon.sessions(),
        cluster: daemon.cluster.summary(),
      };
    },
    'nodes.list': async () => ({backend: daemon.cluster.backend, nodes: await daemon.cluster.nodes()}),
    'daemon.stop': ({timeoutMs, leaveServices}) => {
      const withinMs = daemon.shutdownWithinMs(timeoutMs, {leaveServices});
      // Reply first: the shutdown closes this very connection.
      setImmediate(() => daemon.requestShutdown(timeoutMs, {leaveServices}));
      return {stopping: true, withinMs};
    },
  };
}
