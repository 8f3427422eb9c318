// Services stay on the node that declares them, and every node sees them all: `capsule services`
// lists each with its node, `capsule restart NS/NAME@node` restarts one on another node (audited
// there in the asker's name), and the services of a node that was killed show as lost with it.
import {expect, it} from 'vitest';
import type {ProjectService} from '../../src/protocol/index.js';
import {isAlive, waitFor, type TestHome} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import {describeWithRedis} from '../helpers/redis.js';
import {useCluster} from './cluster.helpers.js';
import {auditOf} from './schedules.helpers.js';

const SERVICE = (name: string) => `[services.${name}]\ncommand = ["sleep", "600"]\n`;

describeWithRedis('services across nodes', () => {
  const cluster = useCluster();

  async function withProject(node: string, namespace: string, service: string): Promise<TestHome> {
    const home = await cluster.home(node);
    const root = await makeProject({'capsule.toml': projectToml(namespace, SERVICE(service))});
    home.removeOnCleanup(root);
    const added = await home.run(['project', 'add', root]);
    expect(added.code, added.stderr).toBe(0);
    return home;
  }
  const services = async (home: TestHome, namespace?: string) => (await home.json<{services: ProjectService[]}>(['services', ...(namespace ? [namespace] : [])])).services;
  const row = (list: ProjectService[], key: string) => list.find((service) => `${service.namespace}/${service.name}` === key);

  it('lists every node\'s services with their node, restarts one on another node, and shows a killed node\'s as lost', {timeout: 60_000}, async () => {
    const [a, b] = [await withProject('alpha', 'web', 'api'), await withProject('beta', 'jobs', 'worker')];
    const seen = await waitFor(async () => {
      const list = await services(a);
      return row(list, 'jobs/worker')?.state === 'running' && row(list, 'web/api')?.state === 'running' ? list : null;
    }, {timeoutMs: 15_000, what: "alpha to list beta's worker"});
    expect(row(seen, 'web/api')).toMatchObject({node: 'alpha'});
    const worker = row(seen, 'jobs/worker')!;
    expect(worker).toMatchObject({node: 'beta', pid: row(await services(b), 'jobs/worker')!.pid});
    const table = (await a.run(['services'])).stdout;
    expect(table).toMatch(/^SERVICE\s+NODE\s+STATE/m);
    expect(table).toMatch(/^jobs\/worker\s+beta\s+● running/m);
    // A namespace only another node has is listed, not refused.
    expect((await services(a, 'jobs')).map((service) => service.name)).toEqual(['worker']);

    const restarted = await a.run(['restart', 'jobs/worker@beta']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/^restarted jobs\/worker \(running, pid \d+\) on node beta$/m);
    const after = row(await services(b), 'jobs/worker')!;
    expect(after.pid).not.toBe(worker.pid);
    expect(after.restarts).toBe(1);
    const [control] = await auditOf(b, 'jobs/worker', 'control.restart');
    expect(control?.actor).toMatch(/ via alpha$/);
    expect((await auditOf(a, 'jobs/worker@beta', 'control.restart')).length).toBe(1);

    const unknown = await a.run(['restart', 'jobs/worker@betta']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no node betta is up on this backend');
    expect(unknown.stderr).toContain('did you mean "beta"?');
    const stopped = await a.run(['start', 'jobs/worker@beta']);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('node beta answered: ');
    const bare = await a.run(['restart', 'worker@beta']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('expected NAMESPACE/NAME@NODE');

    const pid = (await b.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), {what: 'beta to be gone'});
    const lost = await waitFor(async () => {
      const found = row(await services(a), 'jobs/worker');
      return found?.state === 'lost' ? found : null;
    }, {timeoutMs: 10_000, what: "beta's worker to show as lost"});
    expect(lost.reason).toMatch(/^node beta is lost \(last heard of at /);
    const toLost = await a.run(['restart', 'jobs/worker@beta']);
    expect(toLost.code).toBe(1);
    expect(toLost.stderr).toMatch(/node beta is lost: last heard of at \d{4}-/);
    // Its service outlived its daemon, as services do: the next daemon adopts it, and cleanup stops it.
    expect(isAlive(after.pid!)).toBe(true);
    expect((await b.run(['daemon', 'start'])).code).toBe(0);
    expect(row(await services(b), 'jobs/worker')).toMatchObject({pid: after.pid, state: 'running'});
  });
});
