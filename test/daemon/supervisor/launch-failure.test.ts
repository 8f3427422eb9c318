import {describe, expect, it} from 'vitest';
import {shellFailure, spawnFailure} from '../../../daemon/supervisor/launch-failure.js';

const errno = (code: string) => Object.assign(new Error(`spawn x ${code}`), {code});

describe('spawnFailure', () => {
  it('names the program that is missing or may not be run', () => {
    expect(spawnFailure(errno('ENOENT'), 'nodee', '/srv/app', true)).toBe('command not found: nodee');
    expect(spawnFailure(errno('EACCES'), './x.sh', '/srv/app', true)).toBe('permission denied: ./x.sh');
  });

  it('blames a missing working directory, which Node reports as the program missing', () => {
    expect(spawnFailure(errno('ENOENT'), 'node', '/srv/gone', false)).toBe('working directory not found: /srv/gone');
  });

  it('leaves other errors to the restart policy', () => {
    expect(spawnFailure(errno('EAGAIN'), 'node', '/srv/app', true)).toBeNull();
    expect(spawnFailure(new Error('env_file could not be read'), 'node', '/srv/app', true)).toBeNull();
  });
});

describe('shellFailure', () => {
  const exit = (code: number | null, signal: NodeJS.Signals | null = null) => ({code, signal});

  it('reads what dash, bash and busybox say of a program they cannot find (exit 127)', () => {
    for (const line of ['/bin/sh: 1: nodee: not found', 'bash: nodee: command not found', '/bin/sh: line 1: nodee: command not found', 'sh: nodee: not found']) {
      expect(shellFailure(exit(127), line), line).toBe('command not found: nodee');
    }
  });

  it('reads what they say of a program they may not execute (exit 126)', () => {
    expect(shellFailure(exit(126), '/bin/sh: 1: ./x.sh: Permission denied')).toBe('permission denied: ./x.sh');
    expect(shellFailure(exit(126), 'bash: ./x.sh: Permission denied')).toBe('permission denied: ./x.sh');
  });

  it('is a crash like any other when the first stderr line is not the shell saying so, or the status does not match', () => {
    expect(shellFailure(exit(127), 'starting')).toBeNull();
    expect(shellFailure(exit(127), null)).toBeNull();
    expect(shellFailure(exit(1), '/bin/sh: 1: nodee: not found')).toBeNull();
    expect(shellFailure(exit(126), '/bin/sh: 1: nodee: not found')).toBeNull();
    expect(shellFailure(exit(null, 'SIGKILL'), '/bin/sh: 1: nodee: not found')).toBeNull();
  });
});
