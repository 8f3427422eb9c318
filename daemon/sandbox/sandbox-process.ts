import {spawn, type ChildProcess} from 'node:child_process';
import {constants} from 'node:os';
import type {Duplex, Readable} from 'node:stream';
import type {TinypoolChannel} from 'tinypool';
import {readStat} from '../worker/procfs.js';
import type {AttemptPayload} from '../worker/protocol.js';
import {signalGroup} from '../supervisor/process-group.js';
import {killProcess} from '../worker/attempt-processes.js';
import type {StopSignal} from '../runner/stop-switch.js';
import {INFO_FD, sandboxCommand, type SandboxLayout} from './command.js';
import {frame, FrameReader, MAX_FRAME_BYTES} from './frames.js';
import {formatSize} from '../../src/lib/size.js';
import type {EgressProxy} from './egress-proxy.js';
import {CHANNEL_FD, SANDBOX_RAN, type SandboxRunMessage} from './protocol.js';
import type {WorkerExit} from '../executor/workers.js';

/**
 * One sandboxed worker: bubblewrap's namespaces around a node that takes exactly one attempt
 * and exits. Started ahead of need (a spare), it is handed its attempt by `run`.
 */
export class SandboxProcess {
  readonly child: ChildProcess;
  /** The sandboxed node's pid in the daemon's PID namespace (bubblewrap's `child-pid`), or null if it never started. */
  readonly hostPid: Promise<number | null>;
  exit: WorkerExit | null = null;
  private taken = false;
  private readonly channel: Duplex;
  private readonly listeners = new Set<(message: {t?: unknown}) => void>();
  private onRefused: ((message: string) => void) | null = null;

  constructor(
    layout: SandboxLayout,
    /** The proxy its requests go through; closed when the sandbox is gone. */
    readonly proxy: EgressProxy,
  ) {
    const {file, args} = sandboxCommand(layout);
    // No variable of the daemon's: the attempt sets the task's own (worker/attempt.ts).
    this.child = spawn(file, args, {stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'], env: {}, detached: true});
    this.hostPid = readInfo(this.child);
    this.channel = this.child.stdio[CHANNEL_FD] as Duplex;
    const reader = new FrameReader(
      (message) => {
        for (const listener of this.listeners) listener(message as {t?: unknown});
      },
      (bytes) => this.refuse(`the sandbox denied a message of ${formatSize(bytes)} to the daemon, over the ${formatSize(MAX_FRAME_BYTES)} a sandbox may send: return large results as files in an allowed ":rw" directory`),
    );
    this.channel.on('data', (chunk: Buffer) => reader.push(chunk));
    this.channel.on('error', () => {});
    this.child.once('exit', (code, signal) => {
      this.exit = fromBubblewrap(code, signal);
      void proxy.close();
    });
    // A spare that failed to start reports it through its exit; a channel error means the same.
    this.child.on('error', () => {});
  }

  /** What its worker sends, in order. */
  onMessage(listener: (message: {t?: unknown}) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(message: unknown): void {
    // Once it exited, what it would have been told no longer matters.
    if (this.exit === null && this.channel.writable) this.channel.write(frame(message));
  }

  /** Who is told when it is stopped for a message past the cap (the attempt on it). */
  whenRefused(listener: (message: string) => void): void {
    this.onRefused = listener;
  }

  private refuse(message: string): void {
    this.onRefused?.(message);
    this.kill();
  }

  /**
   * Runs one attempt, as tinypool's `run` does for pooled workers: settles when the task's
   * function returned, rejects when the worker died first or `signal` stopped it.
   */
  async run(payload: AttemptPayload, channel: TinypoolChannel, signal: StopSignal): Promise<void> {
    if (this.taken) throw new Error('a sandbox takes one attempt only (a bug in capsule)');
    this.taken = true;
    const hostPid = await this.hostPid;
    const {child} = this;
    if (hostPid === null || this.exit !== null) throw new Error(`the sandbox did not start${this.exit === null ? '' : ` (${describeExit(this.exit)})`}`);
    await new Promise<void>((resolve, reject) => {
      const settle = (outcome: () => void) => {
        signal.removeEventListener('abort', onAbort);
        child.off('exit', onExit);
        stopListening();
        outcome();
      };
      const onAbort = () => {
        this.kill();
        settle(() => reject(new Error('the attempt was stopped')));
      };
      const onExit = () => settle(() => reject(new Error(`the sandboxed worker exited (${describeExit(this.exit)})`)));
      const onMessage = (message: {t?: unknown}) => {
        if (message.t === SANDBOX_RAN) return settle(resolve);
        if (message.t !== 'started') return channel.postMessage?.(message);
        // Inside its PID namespace the worker is pid 1: the executor reads /proc and signals by its pid out here.
        channel.postMessage?.({...message, pid: hostPid, startTime: readStat(hostPid)?.startTime ?? null});
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort);
      child.once('exit', onExit);
      const stopListening = this.onMessage(onMessage);
      channel.onMessage?.((message) => this.send(message));
      const run: SandboxRunMessage = {t: 'run', payload};
      this.send(run);
    });
  }

  /**
   * Ends it at once, whatever it does. The node is killed, not bubblewrap: bubblewrap reaps it
   * and exits, where killing bubblewrap first would leave the node to whatever reaps orphans (in
   * a container, maybe nothing: a zombie). Its node leads its own session, and the namespace,
   * with anything in it, dies with its init. A sandbox just started may not have made its
   * session yet (bubblewrap tells its pid first): then the node itself is killed.
   */
  kill(): void {
    if (this.exit !== null) return;
    void this.hostPid.then((pid) => {
      if (this.exit !== null) return;
      if (pid === null) this.child.kill('SIGKILL');
      else if (!signalGroup(pid, 'SIGKILL')) killProcess(pid);
    });
  }
}

/** The sandboxed node's pid, from bubblewrap's --info-fd once bubblewrap closes it: it writes the JSON in pieces, and a reader that closed after the first would kill it with SIGPIPE. */
export function readInfo(child: ChildProcess): Promise<number | null> {
  const stream = child.stdio[INFO_FD] as Readable | null | undefined;
  return new Promise((resolve) => {
    if (stream === null || stream === undefined) return resolve(null);
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('close', () => {
      const pid = /"child-pid":\s*(\d+)/.exec(text)?.[1];
      resolve(pid === undefined ? null : Number(pid));
    });
  });
}

/** bubblewrap exits 128 + N when its child was killed by signal N. */
export function fromBubblewrap(code: number | null, signal: NodeJS.Signals | null): WorkerExit {
  if (signal !== null || code === null || code <= 128) return {code, signal};
  const name = Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0] as NodeJS.Signals | undefined;
  return name === undefined ? {code, signal} : {code: null, signal: name};
}

function describeExit(exit: WorkerExit | null): string {
  if (exit === null) return 'still running';
  return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
