/** A service whose program cannot be run fails at once, and says why in services, list, --json and the audit trail. */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ServicesHome} from './services-harness.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

describe('a program that cannot be run', () => {
  it('fails at once with "command not found", run directly or through the shell', {timeout: 60_000}, async () => {
    // The default policy: before, each was retried with backoff for some 16 s, then failed without a reason.
    await s.project('typos', `[services.direct]\ncommand = ["nodee", "server.js"]\n\n[services.shell]\ncommand = "nodee server.js"\n`);
    const direct = await s.waitForService('typos/direct', (service) => service.state === 'failed', 'to fail');
    const shell = await s.waitForService('typos/shell', (service) => service.state === 'failed', 'to fail');
    expect(direct).toMatchObject({reason: 'command not found: nodee', pid: null, restarts: 0, lastExit: null});
    expect(shell).toMatchObject({reason: 'command not found: nodee', pid: null, restarts: 0, lastExit: {code: 127}});

    const table = await s.ok(['services', 'typos']);
    expect(table).toContain('typos/direct failed: command not found: nodee');
    expect(table).toContain('typos/shell failed: command not found: nodee');
    expect(await s.ok(['list', 'typos'])).toMatch(/direct.*command not found: nodee/);
    const {projects} = await s.home.json<{projects: {services: {name: string; reason: string | null}[]}[]}>(['list', 'typos']);
    expect(projects[0]?.services.map((service) => [service.name, service.reason])).toEqual([
      ['direct', 'command not found: nodee'],
      ['shell', 'command not found: nodee'],
    ]);

    for (const target of ['typos/direct', 'typos/shell']) {
      expect((await s.events(target, 'service.failed')).map((event) => event.details.reason), target).toEqual(['command not found: nodee']);
      expect(await s.events(target, 'service.restart'), target).toEqual([]);
    }

    // An operator's start tries again, and it fails the same way, once more.
    await s.run(['start', 'typos/direct']);
    await s.waitForService('typos/direct', (service) => service.state === 'failed', 'to fail again');
    expect(await s.events('typos/direct', 'service.failed')).toHaveLength(2);
  });

  it('fails at once with "permission denied" for a file that is not executable', {timeout: 60_000}, async () => {
    await s.project('perms', `[services.script]\ncommand = ["./run.sh"]\n`, {'run.sh': 'echo hi\n'});
    expect(await s.waitForService('perms/script', (service) => service.state === 'failed', 'to fail')).toMatchObject({reason: 'permission denied: ./run.sh'});
    expect(await s.events('perms/script', 'service.restart')).toEqual([]);
  });
});
