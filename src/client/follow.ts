import {CapsuleError} from '../lib/errors.js';
import {isFinalRunStatus, type RunLogLine, type RunProgress, type RunRecord, type StepRecord} from '../protocol/index.js';
import type {DaemonClient} from './client.js';

/**
 * The connection closed under a command still waiting on it (the daemon died or was stopped):
 * the daemon is unreachable, not a failure of the run or a bug. `run` names what goes on without us.
 */
export function connectionLost(what: string, runId: string | null = null): CapsuleError {
  const recovery = runId === null ? '' : `; ${runId} is resumed (or marked interrupted) when it starts again: then \`capsule show ${runId}\``;
  return new CapsuleError('daemon_unreachable', `the daemon is unreachable: it closed the connection while ${what}`, {
    hint: `check \`capsule daemon status\` and \`capsule daemon logs\`, and start it with \`capsule daemon start\`${recovery}`,
  });
}

export interface FollowHandlers {
  onLog?(line: RunLogLine): void;
  onProgress?(progress: RunProgress): void;
  onUpdate?(run: RunRecord): void;
  /** A step was recorded or changed: a prompt now waits for an answer, a wait ended. */
  onStep?(step: StepRecord): void;
}

/**
 * Starts listening for one run's events *before* `start` submits (or looks up) the run, so
 * nothing between the daemon's reply and the first event is lost; resolves with the run's
 * final record. The caller's connection must be subscribed to `run:<id>` (`follow: true`).
 */
export async function followRun(client: DaemonClient, start: () => Promise<RunRecord>, handlers: FollowHandlers): Promise<RunRecord> {
  let settle!: (run: RunRecord) => void;
  let fail!: (error: Error) => void;
  const final = new Promise<RunRecord>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // When the connection closes during `start`, its own rejection is the one the caller gets.
  final.catch(() => undefined);
  let runId: string | null = null;
  const stopListening = client.onEvent((event, data) => {
    if (event === 'run.log') handlers.onLog?.(data);
    else if (event === 'run.progress') handlers.onProgress?.(data);
    else if (event === 'run.step') handlers.onStep?.(data);
    else if (event === 'run.updated') {
      runId ??= data.id;
      handlers.onUpdate?.(data);
      if (isFinalRunStatus(data.status)) settle(data);
    }
  });
  const stopClose = client.onClose(() => fail(client.closeReason ?? connectionLost('following the run', runId)));
  try {
    const run = await start();
    runId = run.id;
    if (isFinalRunStatus(run.status)) settle(run);
    return await final;
  } finally {
    stopListening();
    stopClose();
  }
}
