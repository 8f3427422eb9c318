import {homedir} from 'node:os';
import {join, resolve} from 'node:path';

/** Every file Capsule keeps lives under one home directory, so two homes never interfere. */
export interface HomePaths {
  home: string;
  /** Directory holding the socket; mode 0700 so only the owner can connect. */
  socketDir: string;
  socket: string;
  pidFile: string;
  /** Held while a daemon starts, so racing starts end with exactly one daemon. */
  startLock: string;
  state: string;
  runs: string;
  logsDir: string;
  daemonLog: string;
  audit: string;
}

export function homePaths(env: NodeJS.ProcessEnv = process.env): HomePaths {
  const home = resolve(env.CAPSULE_HOME || join(homedir(), '.capsule'));
  const socketDir = join(home, 'run');
  return {
    home,
    socketDir,
    socket: join(socketDir, 'daemon.sock'),
    pidFile: join(home, 'daemon.pid'),
    startLock: join(home, 'daemon.starting'),
    state: join(home, 'state.json'),
    runs: join(home, 'runs.json'),
    logsDir: join(home, 'logs'),
    daemonLog: join(home, 'logs', 'daemon.log'),
    audit: join(home, 'audit.jsonl'),
  };
}
