import {homedir} from 'node:os';
import {join, resolve} from 'node:path';
import {CapsuleError} from './errors.js';

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
  /** One log file per run. */
  runLogsDir: string;
  /** NS/NAME.log for each service. */
  serviceLogsDir: string;
  audit: string;
  /** The key behind agent tokens and sealed secrets. */
  agentKey: string;
  /** Each registered project's last discovery of its tasks (daemon/executor/discovery-cache.ts). */
  discoveryCacheDir: string;
  /** The sockets of sandboxes' egress proxies (daemon/sandbox). */
  sandboxSocketDir: string;
  /** The daemon's own settings (src/config/daemon-file.ts). */
  daemonConfig: string;
  /** Open code sessions, for the next daemon to adopt (daemon/sessions). */
  sessions: string;
  /** One directory per session holding its host's socket (and a sandboxed one's egress proxy). */
  sessionSocketDir: string;
  /** What each session's process wrote outside a snippet (a crash, V8 running out of heap). */
  sessionLogsDir: string;
  /** Remote services' tokens, sealed (daemon/remote/remote-tokens.ts). */
  remoteTokens: string;
  /** The certificate remote agents pin (daemon/remote/certificate.ts). */
  tlsDir: string;
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
    runLogsDir: join(home, 'logs', 'runs'),
    serviceLogsDir: join(home, 'logs', 'services'),
    audit: join(home, 'audit.jsonl'),
    agentKey: join(home, 'agent.key'),
    discoveryCacheDir: join(home, 'discovery'),
    sandboxSocketDir: join(socketDir, 'sandbox'),
    daemonConfig: join(home, 'daemon.toml'),
    sessions: join(home, 'sessions.json'),
    sessionSocketDir: join(socketDir, 'sessions'),
    sessionLogsDir: join(home, 'logs', 'sessions'),
    remoteTokens: join(home, 'remote-tokens.json'),
    tlsDir: join(home, 'tls'),
  };
}

/**
 * Exit status of a daemon process that found its home owned by another daemon (EX_TEMPFAIL).
 * It is between the daemon and whoever started it, which tells a lost start race from a crash;
 * the CLI itself never exits with it.
 */
export const EXIT_HOME_TAKEN = 75;

/** A second daemon refused: one already owns this home. */
export function daemonAlreadyRunning(pid: number, paths: Pick<HomePaths, 'socket'>): CapsuleError {
  return new CapsuleError('conflict', `a capsule daemon is already running (pid ${pid}) on ${paths.socket}`, {hint: 'stop it with `capsule daemon stop`, or keep using it'});
}
