import {isFinalRunStatus, type RunLogLine, type RunProgress, type RunRecord} from '../protocol/index.js';
import type {DaemonClient} from './client.js';

export interface FollowHandlers {
  onLog?(line: RunLogLine): void;
  onProgress?(progress: RunProgress): void;
  onUpdate?(run: RunRecord): void;
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
  const stopListening = client.onEvent((event, data) => {
    if (event === 'run.log') handlers.onLog?.(data as RunLogLine);
    else if (event === 'run.progress') handlers.onProgress?.(data as RunProgress);
    else if (event === 'run.updated') {
      const run = data as RunRecord;
      handlers.onUpdate?.(run);
      if (isFinalRunStatus(run.status)) settle(run);
    }
  });
  const stopClose = client.onClose(() => fail(new Error('the daemon closed the connection while following the run')));
  try {
    const run = await start();
    if (isFinalRunStatus(run.status)) settle(run);
    return await final;
  } finally {
    stopListening();
    stopClose();
  }
}
