import {describe, expect, it} from 'vitest';
import {loadScope, startupGate} from '../../../daemon/core/load-gate.js';

describe('loadScope', () => {
  it('waits for the one project a request names, by namespace, directory or run', () => {
    expect(loadScope('run.submit', {target: {namespace: 'p1', task: 't'}, input: {}, follow: false, wait: false})).toEqual({namespace: 'p1'});
    expect(loadScope('project.list', {namespace: 'p1'})).toEqual({namespace: 'p1'});
    expect(loadScope('project.reload', {root: '/x'})).toEqual({root: '/x'});
    expect(loadScope('service.restart', {namespace: 'p1', name: 'web'})).toEqual({namespace: 'p1'});
    expect(loadScope('control.apply', {verb: 'restart', target: 'p1/web'})).toEqual({namespace: 'p1'});
    expect(loadScope('control.apply', {verb: 'stop', target: 'run_abc'})).toEqual({run: 'run_abc'});
    expect(loadScope('run.cancel', {id: 'run_abc'})).toEqual({run: 'run_abc'});
  });

  it('answers at once what concerns no project or reads what is stored', () => {
    expect(loadScope('daemon.status', {})).toBeNull();
    expect(loadScope('daemon.stop', {timeoutMs: 1, leaveServices: false})).toBeNull();
    expect(loadScope('project.list', {})).toBeNull();
    expect(loadScope('run.get', {id: 'run_abc'})).toBeNull();
    expect(loadScope('run.list', {limit: 20})).toBeNull();
    expect(loadScope('run.submit', {target: {file: '/tmp/a.ts'}, input: {}, follow: false, wait: false})).toBeNull();
  });

  it("lists what has loaded so far at once (the dashboard's first frame), but merges every service's log only once all have", () => {
    expect(loadScope('schedule.list', {})).toBeNull();
    expect(loadScope('service.list', {})).toBeNull();
    expect(loadScope('service.logs', {tail: 100, follow: false})).toBe('all');
  });
});

describe('startupGate', () => {
  const waits: string[] = [];
  const projects = {
    loaded: async (namespace: string) => void waits.push(`ns:${namespace}`),
    loadedRoot: async (root: string) => void waits.push(`root:${root}`),
    allLoaded: async () => void waits.push('all'),
  };

  it('asks the registry for the right wait, finds a run by its project, and waits for nothing once done', async () => {
    const {gate, done} = startupGate(projects, (runId) => (runId === 'run_known' ? 'p7' : null));
    await gate('run.wait', {id: 'run_known'});
    expect(gate('run.wait', {id: 'run_unknown'})).toBeNull();
    await gate('service.logs', {tail: 100, follow: false});
    await gate('project.add', {root: '/r'});
    expect(gate('daemon.status', {})).toBeNull();
    expect(waits).toEqual(['ns:p7', 'all', 'root:/r']);
    done();
    expect(gate('run.submit', {target: {namespace: 'p1', task: 't'}, input: {}, follow: false, wait: false})).toBeNull();
  });
});
