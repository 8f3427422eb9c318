// Real processes standing in for workers and a task's children: each `sh -c SCRIPT` leads a
// session and group of its own, so a kill aimed at it reaches nothing else on the machine.
import {spawn, type ChildProcess} from 'node:child_process';
import {afterEach} from 'vitest';
import {readProcStat} from '../../daemon/supervisor/proc-stat.js';

const started: ChildProcess[] = [];

/** Registers, in the calling test file, the kill of every group startLeader started. */
export function killLeadersAfterEach(): void {
  afterEach(() => {
    for (const child of started.splice(0)) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  });
}

/** A detached `sh -c SCRIPT` and the first number it prints (its own pid, or a child's). */
export async function startLeader(script: string, env: NodeJS.ProcessEnv = {PATH: process.env.PATH}): Promise<{pid: number; printed: number}> {
  const child = spawn('/bin/sh', ['-c', script], {detached: true, env, stdio: ['ignore', 'pipe', 'ignore']});
  started.push(child);
  const printed = await new Promise<number>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(Number.parseInt(chunk.toString(), 10))));
  return {pid: child.pid!, printed};
}

/** Alive and not a zombie. */
export async function isRunning(pid: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== null && stat.state !== 'Z';
}
