import {spawn, type ChildProcess} from 'node:child_process';
import {constants} from 'node:os';
import type {Readable} from 'node:stream';
import type {TinypoolChannel} from 'tinypool';
import {readStat} from '../worker/procfs.js';
import type {AttemptPayload} from '../worker/protocol.js';
import {signalGroup} from '../supervisor/process-group.js';
import type {StopSignal} from '../runner/stop-switch.js';
import {INFO_FD, sandboxCommand, type SandboxLayout} from './command.js';
import type {EgressProxy} from './egress-proxy.js';
import {SANDBOX_RAN, type SandboxRunMessage} from './protocol.js';
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

  constructor(
    layout: SandboxLayout,
    /** The proxy its requests go through; closed when the sandbox is gone. */
    readonly proxy: EgressProxy,
  ) {
    const {file, args} = sandboxCommand(layout);
    // No variable of the daemon's: the attempt sets the task's own (worker/attempt.ts).
    this.child = spawn(file, args, {stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'], env: {}, detached: true, serialization: 'advanced'});
    this.hostPid = readInfo(this.child);
    this.child.once('exit', (code, signal) => {
      this.exit = fromBubblewrap(code, signal);
      void proxy.close();
    });
    // A spare that failed to start reports it through its exit; an IPC error means the same.
    this.child.on('error', () => {});
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
        child.off('message', onMessage);
        outcome();
      };
      const onAbort = () => {
        this.kill();
        settle(() => reject(new Error('the attempt was stopped')));
      };
      const onExit = () => settle(() => reject(new Error(`the sandboxed worker exited (${describeExit(this.exit)})`)));
      const onMessage = (message: {t?: unknown}) => {
        if (message.t === SANDBOX_RAN) return settle(resolve);
        // Inside its PID namespace the worker is pid 1: the executor reads /proc and signals by its pid out here.
        if (message.t === 'started') channel.postMessage?.({...message, pid: hostPid, startTime: readStat(hostPid)?.startTime ?? null});
        else channel.postMessage?.(message);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort);
      child.once('exit', onExit);
      child.on('message', onMessage);
      channel.onMessage?.((message) => {
        // Once it exited, what it would have been told no longer matters.
        if (child.connected) child.send(message as object);
      });
      const run: SandboxRunMessage = {t: 'run', payload};
      child.send(run);
    });
  }

  /**
   * Ends it at once, whatever it does. The node is killed, not bubblewrap: bubblewrap reaps it
   * and exits, where killing bubblewrap first would leave the node to whatever reaps orphans (in
   * a container, maybe nothing: a zombie). Its node leads its own session, and the namespace,
   * with anything in it, dies with its init.
   */
  kill(): void {
    if (this.exit !== null) return;
    void this.hostPid.then((pid) => {
      if (this.exit !== null) return;
      if (pid !== null) signalGroup(pid, 'SIGKILL');
      else this.child.kill('SIGKILL');
    });
  }
}

function readInfo(child: ChildProcess): Promise<number | null> {
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
