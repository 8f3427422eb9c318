import {readFileSync, readdirSync} from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import {createExecutor, type TaskExecutor} from '../../../daemon/executor/index.js';
import {attemptRequest, recordingHooks} from './helpers.js';

describe('pool growth', () => {
  let executor: TaskExecutor | undefined;

  afterEach(async () => {
    await executor?.close();
    executor = undefined;
  });

  // The daemon's executor allows many attempts (nested runs need headroom); a burst with three at
  // a time must not start a worker for every attempt that finds the others busy or still booting.
  it('starts no more workers than attempts it holds at once, however many it may hold', async () => {
    executor = createExecutor({maxParallel: 32});
    const before = childProcesses();
    const chain = async () => {
      for (let index = 0; index < 20; index++) {
        const outcome = await executor!.execute(attemptRequest('basic.ts', 'noop', {isolation: 'process'}), recordingHooks().hooks, new AbortController().signal);
        expect(outcome.ok).toBe(true);
      }
    };
    await Promise.all([chain(), chain(), chain()]);
    // Workers started and not needed stay until their idle timeout: all of them are still here.
    // The executor's one esbuild service (it compiles basic.ts) is a child too, and no worker.
    const workers = [...childProcesses()].filter((pid) => !before.has(pid) && commandOf(pid) !== 'esbuild');
    expect(workers.length).toBeGreaterThan(0);
    expect(workers.length).toBeLessThanOrEqual(3);
  });
});

/** Pids of this process's children (tinypool's child-process workers among them). */
function childProcesses(): Set<number> {
  const pids = new Set<number>();
  for (const tid of readdirSync('/proc/self/task')) {
    for (const pid of readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim().split(' ')) if (pid !== '') pids.add(Number(pid));
  }
  return pids;
}

function commandOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}
