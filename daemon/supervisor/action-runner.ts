/** Runs a service's command action: its own process group, output streamed line by line and kept (bounded) for the result. */
import {spawn} from 'node:child_process';
import {CapsuleError} from '../../src/lib/errors.js';
import {actionArgNameProblem} from '../../src/protocol/action-args.js';
import type {Clock} from '../core/clock.js';
import {scrub} from './config-values.js';
import {LineSplitter} from './line-splitter.js';
import {OutputTail} from './output-tail.js';
import {signalGroup, stopProcessGroup} from './process-group.js';
import type {ActionOutputLine, ActionResult} from './types.js';

/** Grace between SIGTERM and SIGKILL for an action that timed out or was cancelled. */
const ACTION_KILL_GRACE_MS = 2_000;

export interface ActionSpec {
  action: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  args: Record<string, string>;
  timeoutMs: number;
  /** Values to mask in the output. */
  secrets: readonly string[];
  signal?: AbortSignal;
  onOutput?: (line: ActionOutputLine) => void;
}

/** Each `--arg key=value` reaches the command as CAPSULE_ARG_<KEY>, never spliced into its command line. */
export function argumentEnvironment(args: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(args)) {
    const problem = actionArgNameProblem(key);
    if (problem !== undefined) throw new CapsuleError('bad_input', problem, {hint: 'pass arguments as --arg name=value'});
    env[`CAPSULE_ARG_${key.toUpperCase().replace(/-/g, '_')}`] = value;
  }
  return env;
}

export function runCommandAction(spec: ActionSpec, clock: Pick<Clock, 'now'>): Promise<ActionResult> {
  const startedAt = clock.now();
  const env = {...spec.env, ...argumentEnvironment(spec.args), CAPSULE_ACTION: spec.action};
  const [program, ...rest] = spec.argv;
  return new Promise((resolve, reject) => {
    const child = spawn(program!, rest, {cwd: spec.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe']});
    const kept = new OutputTail();
    const emit = (stream: ActionOutputLine['stream'], text: string) => {
      const line = scrub(text, spec.secrets);
      kept.push(line);
      spec.onOutput?.({stream, text: line});
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      const splitter = new LineSplitter();
      child[stream].on('data', (chunk: Buffer) => splitter.push(chunk).forEach((text) => emit(stream, text)));
      child[stream].on('end', () => {
        const last = splitter.flush();
        if (last !== null) emit(stream, last);
      });
    }
    let timedOut = false;
    const end = () => {
      if (child.pid !== undefined) void stopProcessGroup(child.pid, 'SIGTERM', ACTION_KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      end();
    }, spec.timeoutMs);
    spec.signal?.addEventListener('abort', end);
    if (spec.signal?.aborted) end();
    const cleanup = () => {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', end);
    };
    child.on('error', (error) => {
      cleanup();
      reject(new CapsuleError('failed', `action ${spec.action} could not run ${program}: ${error.message}`, {hint: 'check the command of the action in capsule.toml'}));
    });
    // An action leaves nothing behind: what it started in its group ends with it, which also
    // closes the output pipes a background child might hold open.
    child.once('exit', () => {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    });
    // 'close' waits for the output pipes, so the result holds every line.
    child.once('close', (code, signal) => {
      cleanup();
      resolve({action: spec.action, exitCode: code, signal, timedOut, output: kept.text(), durationMs: clock.now() - startedAt, result: null});
    });
  });
}
