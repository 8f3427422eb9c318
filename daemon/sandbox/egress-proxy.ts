// Placeholder until the egress proxy lands (sandbox-net branch): listens, answers nothing.
import {createServer, type Server} from 'node:net';
import {rmSync} from 'node:fs';

export interface EgressRequestEntry {
  method: string;
  host: string;
  status: number | null;
  bytes: number;
  durationMs: number;
  denied: boolean;
}

export interface EgressProxy {
  onRequest: (entry: EgressRequestEntry) => void;
  close(): Promise<void>;
}

export async function startEgressProxy(options: {socketPath: string; hosts: string[]; onRequest: (entry: EgressRequestEntry) => void}): Promise<EgressProxy> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(options.socketPath, resolve));
  return {
    onRequest: options.onRequest,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(options.socketPath, {force: true});
      }),
  };
}
