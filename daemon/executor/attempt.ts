import type {AttemptHooks, AttemptOutcome, AttemptRequest} from '../runner/executor-api.js';
import {StopSwitch} from '../runner/stop-switch.js';
import {signalGroup} from '../supervisor/process-group.js';
import {attemptMarker, endAttemptProcesses, killProcess} from '../worker/attempt-processes.js';
import {exceedsMemoryLimit, toSentError, type AttemptPayload, type WorkerMessage, type WorkerOutcome} from '../worker/protocol.js';
import {namingHiddenPaths} from '../sandbox/hidden-paths.js';
import {AttemptGuard} from '../sandbox/attempt-guard.js';
import type {KernelCpuLimit} from './cpu-limit.js';
import {describeStop, type Measured, type StopReason} from './failure.js';
import {openExecutorLink, type ExecutorLink} from './link.js';
import type {ModuleSources} from './module-sources.js';
import {measuredUsage, settleOutcome, type AttemptFacts} from './outcome.js';
import type {WorkerLease} from './lease.js';
import type {ThreadMemoryProbe} from './thread-memory.js';
import {Watchdog} from './watchdog.js';
import type {WorkerHandle} from './workers.js';

/** Longest an attempt may wait for a worker to pick it up (a child process booting on a loaded machine) before it is given up as crashed. */
export const WORKER_START_TIMEOUT_MS = 60_000;
/** How long a terminated worker may take to be gone before the outcome is reported anyway. */
export const EXIT_WAIT_MS = 5_000;
/** The worker's "done" travels on the attempt's own port and may trail tinypool's completion by a few ticks. */
const REPORT_WAIT_MS = 1_000;
/** The kernel CPU limit (a process spawn) is only worth setting for attempts that run this long; shorter ones are measured. */
export const CPU_LIMIT_ARM_AFTER_MS = 1_000;

export interface AttemptSettings {
  cpuLimit: KernelCpuLimit;
  abortGraceMs: number;
  watchdogIntervalMs: number;
  /** Measures worker threads' memory as they run. */
  memoryProbe: ThreadMemoryProbe;
  /** Where the worker's user modules come from. */
  modules: ModuleSources;
  /** A hook threw: a bug in the caller, reported rather than thrown into a worker's message handler. */
  onError(error: Error): void;
}

type Started = Extract<WorkerMessage, {t: 'started'}>;

let lastToken = 0;

/**
 * One attempt on a pooled worker, from dispatch to a settled outcome: relays the worker's
 * messages to the hooks, enforces the timeout and the watchdog's limits, and stops the worker
 * when asked. Once stopped, the outcome waits until the worker is really gone, so a lock
 * released on it never overlaps a task still running.
 */
export class Attempt {
  private readonly token = `${process.pid}.${++lastToken}`;
  /** tinypool's run signal: aborting it terminates the worker (and has tinypool replace it). */
  private readonly terminate = new StopSwitch();
  private readonly link: ExecutorLink;
  private stopReason: StopReason | null = null;
  /** What to say of the stop instead of describeStop's words (a sandbox's refusal names what it refused). */
  private stopMessage: string | null = null;
  private reported: WorkerOutcome | null = null;
  private started: Started | null = null;
  private handle: WorkerHandle | null = null;
  private watchdog: Watchdog | null = null;
  private deadline: NodeJS.Timeout | null = null;
  private grace: NodeJS.Timeout | null = null;
  private armTimer: NodeJS.Timeout | null = null;
  private kernelLimitSet = false;
  /** Process isolation: the task started a process, to be looked for once the worker is gone. */
  private spawned = false;
  private wake: (() => void) | null = null;
  /** Sandbox isolation: what its worker asks is checked, since the task's code can ask it too. */
  private readonly guard: AttemptGuard | null;

  constructor(
    private readonly request: AttemptRequest,
    private readonly hooks: AttemptHooks,
    private readonly lease: WorkerLease,
    private readonly settings: AttemptSettings,
  ) {
    this.guard = request.sandbox === null ? null : new AttemptGuard(request.namespace, request.cwd, request.sandbox);
    this.link = openExecutorLink(request.isolation, this.token, (message) => this.onMessage(message), lease.threads);
    lease.onRequest((entry) => this.callHook(() => this.hooks.request(entry)));
    lease.onDenied((message) => {
      this.stopMessage = message;
      this.stop('sandbox_denied');
    });
  }

  async run(): Promise<AttemptOutcome> {
    // The timeout counts from the moment a worker takes the attempt (loading the module is part
    // of it); booting a worker is the daemon's cost, bounded separately.
    this.deadline = setTimeout(() => this.stop('crashed'), WORKER_START_TIMEOUT_MS);
    try {
      let failure: {error: unknown} | null = null;
      try {
        const {workerPort, channel} = this.link;
        const signal = this.terminate;
        // Each shape written out: a spread followed by new keys is slow in V8 (see newRun in run-state.ts).
        const options = workerPort !== null ? {transferList: [workerPort], signal} : channel !== null ? {channel, signal} : {signal};
        await this.lease.run(this.payload(), options);
      } catch (error) {
        failure = {error};
      }
      // The task returned, so the worker sent its report, maybe not processed yet; a stopped task
      // that honoured the abort has its last log lines in front of it.
      if (failure === null && this.reported === null) await this.until(() => this.reported !== null, REPORT_WAIT_MS);
      // A sandbox takes one attempt: it ends with it, and whatever the task left running in it (a timer) with it.
      if (this.request.sandbox !== null && this.handle?.exit === null) this.kill();
      if (failure !== null || this.terminate.aborted) await this.until(() => this.handle === null || this.handle.exit !== null, EXIT_WAIT_MS);
      // A worker that finished its attempt ended what it started itself; one that is gone could not.
      if (this.spawned && (this.terminate.aborted || this.handle?.exit)) await this.endProcesses();
      return this.outcome(failure);
    } finally {
      this.finish();
    }
  }

  /** Ends the attempt. A timeout or a cancel aborts ctx.signal and leaves the task a grace period; the rest terminate at once. */
  stop(reason: StopReason): void {
    if (this.stopReason !== null || this.reported !== null || this.handle?.exit) return;
    this.stopReason = reason;
    this.clearTimer('deadline');
    if ((reason === 'timeout' || reason === 'cancelled') && this.started !== null) {
      this.link.send({t: 'abort', reason, message: describeStop(reason, this.request.limits, this.measured())});
      this.grace = setTimeout(() => this.kill(), this.settings.abortGraceMs);
    } else {
      this.kill();
    }
  }

  private kill(): void {
    this.clearTimer('grace');
    this.terminate.abort();
    // tinypool ends a child with SIGTERM, which a task may trap; once stopped, it gets no say.
    // The worker leads its process group: what the task spawned there goes in the same signal.
    if (this.request.isolation !== 'thread' && this.started !== null && this.handle?.exit === null) {
      if (!signalGroup(this.started.pid, 'SIGKILL')) killProcess(this.started.pid);
    }
  }

  /**
   * Ends the processes of the attempt that the SIGKILL to the worker's group did not reach (they
   * left it), and waits until none of them, nor of the group, is left. The group outlives its
   * leader while it has members, so its id cannot have been given to another meanwhile.
   */
  private async endProcesses(): Promise<void> {
    const {runId, attempt} = this.request;
    const groups = this.started === null ? [] : [this.started.pid];
    const {left} = await endAttemptProcesses({markers: [attemptMarker(runId, attempt)], groups}, EXIT_WAIT_MS);
    if (left > 0) this.settings.onError(new Error(`${left} processes started by run ${runId} (attempt ${attempt}) are still there after SIGKILL`));
  }

  private payload(): AttemptPayload {
    const {request} = this;
    return {
      token: this.token,
      isolation: request.isolation,
      modulePath: request.modulePath,
      exportName: request.exportName,
      runId: request.runId,
      attempt: request.attempt,
      input: request.input,
      env: request.env,
      cwd: request.isolation === 'thread' ? null : request.cwd,
      sandbox: request.sandbox === null ? null : {scratchBytes: request.sandbox.scratchBytes},
      port: this.link.workerPort,
      ramBytes: request.limits.ramBytes,
      memo: request.memo,
    };
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.t) {
      case 'started':
        return this.onStarted(message);
      case 'log':
        return this.callHook(() => this.hooks.log(message.level, message.message));
      case 'progress':
        return this.callHook(() => this.hooks.progress(message.current, message.total, message.message));
      case 'submit': {
        const submit = () => this.hooks.submitChild(message.task, message.input);
        return this.answer(message.call, () => (this.guard === null ? submit() : this.guard.submit(message.task, submit)));
      }
      case 'await': {
        const wait = () => this.hooks.awaitChild(message.runId);
        return this.answer(message.call, () => (this.guard === null ? wait() : this.guard.await(message.runId, wait)));
      }
      case 'durable':
        return this.answer(message.call, () => this.hooks.durable(message.op));
      case 'module': {
        const serve = () => this.settings.modules.serve(this.request.namespace, message.url, message.format);
        return this.answer(message.call, () => (this.guard === null ? serve() : this.guard.load(message.url, serve)));
      }
      case 'spawned':
        this.spawned = true;
        return;
      case 'done':
        return this.onReported(message.outcome);
    }
  }

  private onStarted(started: Started): void {
    // The worker says it once, before the task's code runs; another is the task's own (a process
    // can write on its channel), and would re-arm the timeout and restart the CPU count.
    if (this.started !== null) return;
    this.started = started;
    const {isolation, limits} = this.request;
    this.clearTimer('deadline');
    this.handle = this.lease.worker(isolation === 'thread' ? started.threadId : started.pid);
    if (this.handle !== null) {
      this.handle.watch({
        onExit: () => this.onWorkerExit(),
        onOutput: (level, line) => this.callHook(() => this.hooks.log(level, line)),
      });
    }
    if (isolation !== 'thread' && started.startTime !== null) {
      const worker = {pid: started.pid, startTime: started.startTime};
      this.callHook(() => this.hooks.worker(worker));
    }
    if (this.stopReason !== null) return;
    if (Number.isFinite(limits.timeoutMs)) this.deadline = setTimeout(() => this.stop('timeout'), limits.timeoutMs);
    const worker = {isolation, pid: started.pid, threadId: started.threadId, tid: started.tid, cpuBeforeMs: started.cpuMs, maxProcesses: this.request.sandbox?.maxProcesses ?? null};
    this.watchdog = new Watchdog(worker, limits, this.settings.memoryProbe, (reason) => this.stop(reason));
    this.watchdog.start(this.settings.watchdogIntervalMs);
    if (isolation === 'thread') return;
    const {cpuLimit} = this.settings;
    if (started.cpuLimitSeconds !== null) void cpuLimit.disarm(started.pid).then(() => this.link.send({t: 'resume'}));
    if (Number.isFinite(limits.computeMs) && cpuLimit.isAvailable) this.armTimer = setTimeout(() => this.setKernelLimit(started), CPU_LIMIT_ARM_AFTER_MS);
  }

  // The kernel counts the child's CPU over its whole life, so the limit is what it had used before this attempt plus the budget.
  private setKernelLimit(started: Started): void {
    this.kernelLimitSet = true;
    void this.settings.cpuLimit.arm(started.pid, ((started.cpuMs ?? 0) + this.request.limits.computeMs) / 1000);
  }

  private onReported(outcome: WorkerOutcome): void {
    if (this.reported !== null) return;
    this.reported = outcome;
    // The task is over: its limits no longer apply, and a worker that finished within its grace period stays in the pool.
    this.clearLimits();
    // Unless it holds more memory than its limit: it waits to be stopped (worker/attempt.ts), and whatever stopped it first names the outcome.
    if (exceedsMemoryLimit(outcome.memoryBytes, this.request.limits.ramBytes)) {
      this.stopReason ??= 'out_of_memory';
      this.kill();
    }
    this.wake?.();
  }

  private onWorkerExit(): void {
    // tinypool never settles the task of a worker thread that called process.exit: terminating it does.
    if (this.reported === null) this.terminate.abort();
    this.clearLimits();
    this.wake?.();
  }

  private outcome(failure: {error: unknown} | null): AttemptOutcome {
    const {limits, stopReason, reported, sampled} = this.facts();
    const shown = this.request.sandbox === null ? reported : namingHiddenPaths(reported);
    return settleOutcome({limits, stopReason, stopMessage: this.stopMessage, reported: shown, sampled, failure, exit: this.handle?.exit ?? null, stderrTail: this.handle?.stderrTail() ?? ''});
  }

  private measured(): Measured {
    return measuredUsage(this.facts());
  }

  private facts(): Pick<AttemptFacts, 'limits' | 'stopReason' | 'reported' | 'sampled'> {
    const sampled = {cpuMs: this.watchdog?.cpuMs ?? null, peakMemoryBytes: this.watchdog?.peakMemoryBytes ?? null};
    return {limits: this.request.limits, stopReason: this.stopReason, reported: this.reported, sampled};
  }

  private answer(call: number, work: () => Promise<unknown>): void {
    Promise.resolve()
      .then(work)
      .then(
        (value) => this.link.send({t: 'reply', call, ok: true, value}),
        (error: unknown) => this.link.send({t: 'reply', call, ok: false, error: toSentError(error)}),
      );
  }

  private callHook(hook: () => void): void {
    try {
      hook();
    } catch (error) {
      this.settings.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Waits until `done()` holds, re-checked whenever the worker reports or exits, for at most `ms`. */
  private async until(done: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private clearLimits(): void {
    this.clearTimer('deadline');
    this.clearTimer('grace');
    this.clearTimer('armTimer');
    this.watchdog?.stop();
  }

  private clearTimer(name: 'deadline' | 'grace' | 'armTimer'): void {
    const timer = this[name];
    if (timer !== null) clearTimeout(timer);
    this[name] = null;
  }

  private finish(): void {
    this.clearLimits();
    this.handle?.unwatch();
    this.link.close();
    if (this.kernelLimitSet && this.started !== null && this.handle?.exit === null) void this.settings.cpuLimit.disarm(this.started.pid);
  }
}

