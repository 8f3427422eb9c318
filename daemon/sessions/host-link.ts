import {spawn} from 'node:child_process';
import {closeSync, mkdirSync, openSync, readSync, fstatSync, rmSync} from 'node:fs';
import {connect, type Socket} from 'node:net';
import {join} from 'node:path';
import type {SandboxPolicy} from '../../src/config/sandbox-policy.js';
import {sandboxCommand} from '../sandbox/command.js';
import {readInfo} from '../sandbox/sandbox-process.js';
import {startEgressProxy, type EgressProxy} from '../sandbox/egress-proxy.js';
import {EGRESS_SOCKET, SCRATCH_DIR} from '../sandbox/protocol.js';
import {nodeModulesAbove, nodeRuntime, type NodeRuntime} from '../sandbox/runtime-files.js';
import {frame, FrameReader} from '../sandbox/frames.js';
import {SESSION_ORPHAN_ENV, SESSION_SOCKET_ENV, type DaemonMessage, type HostMessage} from './host-protocol.js';

const MIB = 1024 * 1024;
/** How long a host has to start listening. */
const START_TIMEOUT_MS = 15_000;
const CONNECT_RETRY_MS = 5;
/** What of a host's log is read to tell why it died. */
const LOG_TAIL_BYTES = 8 * 1024;

/** Where one host process runs, and with what. */
export interface HostSpec {
  /** Its directory under run/sessions: the socket is there (and, sandboxed, the egress proxy's). */
  runDir: string;
  logFile: string;
  distDir: string;
  ramBytes: number | null;
  /** Set for a sandboxed host. */
  sandbox: {bwrap: string; root: string; policy: SandboxPolicy} | null;
  orphanMs: number;
}

let runtime: NodeRuntime | null = null;

/**
 * The daemon's end of one session host (session-host.ts): the process, found by pid, and the
 * connection to its socket. The host is started detached, in its own session, and is nobody's
 * pipe: a daemon that dies leaves it running for the next one to `adopt`.
 */
export class HostLink {
  private readonly listeners = new Set<(message: HostMessage) => void>();
  /** Settles once the connection closed: the host exited (or this end let go: `detach`). */
  readonly gone: Promise<void>;
  private detached = false;

  private constructor(
    /** In the daemon's PID namespace (a sandboxed host is pid 1 in its own). */
    readonly pid: number,
    private readonly socket: Socket,
    /** What the host said when it answered: the snippet it is still running (after a daemon restart), if any. */
    readonly running: string | null,
    private readonly proxy: EgressProxy | null,
    readonly runDir: string,
    readonly logFile: string,
  ) {
    this.gone = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.gone.then(() => this.proxy?.close());
  }

  static socketOf(runDir: string): string {
    return join(runDir, 'session.sock');
  }

  /** Starts a host and connects to it; rejects with what it wrote if it exits or stays silent first. */
  static async start(spec: HostSpec): Promise<HostLink> {
    mkdirSync(spec.runDir, {recursive: true, mode: 0o700});
    // A replaced host's sockets go; the rest of the directory (a sandbox's empty working directory) stays.
    const socketPath = HostLink.socketOf(spec.runDir);
    const egressPath = join(spec.runDir, 'egress.sock');
    for (const stale of [socketPath, egressPath]) rmSync(stale, {force: true});
    const proxy = spec.sandbox === null ? null : await startEgressProxy({socketPath: egressPath, hosts: spec.sandbox.policy.hosts});
    const log = openSync(spec.logFile, 'w', 0o600);
    const heap = spec.ramBytes === null ? [] : [`--max-old-space-size=${Math.max(16, Math.floor(spec.ramBytes / MIB))}`];
    let command: {file: string; args: string[]};
    let env: NodeJS.ProcessEnv;
    if (spec.sandbox === null) {
      command = {file: process.execPath, args: [...heap, '--disable-warning=ExperimentalWarning', join(spec.distDir, 'session-host.js')]};
      env = {...daemonFreeEnv(), [SESSION_SOCKET_ENV]: socketPath, [SESSION_ORPHAN_ENV]: String(spec.orphanMs)};
    } else {
      runtime ??= nodeRuntime();
      const {root, policy, bwrap} = spec.sandbox;
      command = sandboxCommand({bwrap, runtime, distDir: spec.distDir, root, nodeModules: nodeModulesAbove(root), policy, egressSocket: proxy!.socketPath, ramBytes: spec.ramBytes ?? Infinity, session: {runDir: spec.runDir}});
      // Nothing of the daemon's environment enters a sandbox; the session's own comes with `init`.
      env = {[SESSION_SOCKET_ENV]: join(EGRESS_SOCKET, '..', 'session.sock'), [SESSION_ORPHAN_ENV]: String(spec.orphanMs), CAPSULE_SESSION_SANDBOX: String(policy.scratchBytes), PATH: '/usr/bin:/bin', HOME: SCRATCH_DIR};
    }
    const child = spawn(command.file, command.args, {stdio: ['ignore', log, log, 'ignore', spec.sandbox === null ? 'ignore' : 'pipe'], env, detached: true});
    closeSync(log);
    child.on('error', () => {});
    const pid = spec.sandbox === null ? (child.pid ?? null) : await readInfo(child);
    // The host lives on its own; the daemon watches it through its socket.
    child.unref();
    let exited = false;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const socket = pid === null ? null : await tryConnect(socketPath);
      if (socket !== null) return HostLink.handshake(pid!, socket, proxy, spec);
      if (exited || pid === null || Date.now() > deadline) {
        // The node first: a sandbox outlives its bubblewrap (no --die-with-parent for sessions).
        if (pid !== null) killGroup(pid);
        child.kill('SIGKILL');
        await proxy?.close();
        const said = readTail(spec.logFile).trim();
        throw new Error(`the session's process ${exited ? 'exited as it started' : 'did not start listening'}${said === '' ? '' : `: ${said.split('\n').slice(-5).join(' | ')}`}`);
      }
      await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
    }
  }

  /** Reconnects to a host an earlier daemon started; null if it is gone (or another process answers there). */
  static async adopt(spec: Pick<HostSpec, 'runDir' | 'logFile' | 'sandbox'>, pid: number): Promise<HostLink | null> {
    if (!isAlive(pid)) return null;
    const socket = await tryConnect(HostLink.socketOf(spec.runDir));
    if (socket === null) return null;
    // The dead daemon's proxy left its socket file behind: the new proxy listens in its place.
    const egress = join(spec.runDir, 'egress.sock');
    rmSync(egress, {force: true});
    const proxy = spec.sandbox === null ? null : await startEgressProxy({socketPath: egress, hosts: spec.sandbox.policy.hosts}).catch(() => null);
    const link = await HostLink.handshake(pid, socket, proxy, spec).catch(() => null);
    if (link === null) await proxy?.close();
    return link;
  }

  private static handshake(pid: number, socket: Socket, proxy: EgressProxy | null, {runDir, logFile}: Pick<HostSpec, 'runDir' | 'logFile'>): Promise<HostLink> {
    return new Promise((resolve, reject) => {
      let link: HostLink | null = null;
      const reader = new FrameReader(
        (message) => {
          const said = message as HostMessage;
          if (link !== null) {
            for (const listener of link.listeners) listener(said);
            return;
          }
          if (said.type !== 'hello') return;
          link = new HostLink(pid, socket, said.running, proxy, runDir, logFile);
          resolve(link);
        },
        () => socket.destroy(),
      );
      socket.on('data', (chunk: Buffer) => reader.push(chunk));
      socket.on('error', () => {});
      socket.once('close', () => {
        if (link === null) reject(new Error('the session closed its socket before saying hello'));
      });
    });
  }

  onMessage(listener: (message: HostMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(message: DaemonMessage): void {
    if (!this.socket.destroyed) this.socket.write(frame(message));
  }

  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(this.pid, signal);
    } catch {
      // Gone already: its socket's close says so.
    }
  }

  /** Ends it at once; `gone` settles when it has. Its process group goes with it (what its snippets started). */
  kill(): void {
    killGroup(this.pid);
  }

  /** Lets go of it, leaving it running for the next daemon (a restart). */
  detach(): void {
    this.detached = true;
    this.socket.destroy();
  }

  get isDetached(): boolean {
    return this.detached;
  }

  /** Why it died, as V8 said it on its way out: heap exhaustion, else null. */
  diedOutOfMemory(): boolean {
    return /heap out of memory|Reached heap limit|Allocation failed/i.test(readTail(this.logFile));
  }
}

/** The daemon's environment without what is the daemon's own (its home, its socket). */
function daemonFreeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('CAPSULE_') && !name.startsWith('NODE_OPTIONS')) env[name] = value;
  return env;
}

/** A host leads its own process group (it is started detached, or by bubblewrap's --new-session). */
function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Not a group leader, or gone.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryConnect(path: string): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => resolve(null));
  });
}

function readTail(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, LOG_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
