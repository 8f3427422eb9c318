// node-ipc 12 ships no types; this covers the part src/transport/ipc.ts uses.
declare module 'node-ipc' {
  interface IpcPeer {
    on(event: string, listener: (...args: never[]) => void): void;
    emit(data: Buffer | string): void;
    socket: import('node:net').Socket | false;
  }
  class IPC {
    config: Record<string, unknown>;
    of: Record<string, IpcPeer>;
    server: {start(): void; on(event: string, listener: (...args: never[]) => void): void};
    serve(path: string, callback: () => void): void;
    connectTo(id: string, path: string, callback: () => void): void;
    disconnect(id: string): void;
  }
  export class IPCModule extends IPC {}
  const singleton: IPCModule;
  export default singleton;
}
