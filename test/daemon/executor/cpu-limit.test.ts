import {spawn, type ChildProcess} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {once} from 'node:events';
import {afterEach, describe, expect, it} from 'vitest';
import {KernelCpuLimit} from '../../../daemon/executor/cpu-limit.js';
import {parseCpuSoftLimitSeconds} from '../../../daemon/worker/procfs.js';

const softLimit = (pid: number) => parseCpuSoftLimitSeconds(readFileSync(`/proc/${pid}/limits`, 'utf8'));

describe.runIf(process.platform === 'linux')('KernelCpuLimit', () => {
  let child: ChildProcess | undefined;
  const limiter = new KernelCpuLimit();

  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    child = undefined;
    await limiter.close();
  });

  it('sets and lifts the soft CPU limit of a process, in order', async () => {
    child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'});
    const pid = child.pid!;
    const armed = limiter.arm(pid, 41.2);
    const disarmed = limiter.disarm(pid);
    expect(await armed).toBe(true);
    expect(await disarmed).toBe(true);
    expect(softLimit(pid)).toBeNull();
    expect(await limiter.arm(pid, 7)).toBe(true);
    expect(softLimit(pid)).toBe(7);
  });

  it('ends a busy process with SIGXCPU once it has used the limit', async () => {
    child = spawn(process.execPath, ['-e', 'for (;;) {}'], {stdio: 'ignore'});
    const exited = once(child, 'exit');
    expect(await limiter.arm(child.pid!, 1)).toBe(true);
    const [, signal] = await exited;
    expect(signal).toBe('SIGXCPU');
  });

  it('answers false for a process that is gone, and without prlimit', async () => {
    child = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
    await once(child, 'exit');
    expect(await limiter.arm(child.pid!, 1)).toBe(false);
    const missing = new KernelCpuLimit('capsule-no-such-prlimit');
    expect(await missing.arm(process.pid, 1)).toBe(false);
    expect(missing.isAvailable).toBe(false);
  });
});
