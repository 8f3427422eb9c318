import {describe, expect, it} from 'vitest';
import {EventBatch, MAX_BATCH_ITEMS} from '../../../tui/state/event-batch.js';
import {MAX_LOG_LINES} from '../../../tui/state/log.js';
import {project, service} from '../../render/fixtures.js';
import {run} from '../helpers/world.js';

const logLine = (line: string, seq: number) => ({namespace: 'reports', name: 'api', seq, time: '2025-06-01T12:00:00.000Z', stream: 'stdout' as const, line});

describe('EventBatch', () => {
  it('keeps only the newest update of each item, ordered by each item\'s latest event', () => {
    const batch = new EventBatch();
    batch.add('run.updated', run({id: 'a', status: 'queued'}));
    batch.add('service.updated', {...service({name: 'api', state: 'starting'}), namespace: 'reports'});
    batch.add('run.updated', run({id: 'a', status: 'running'}));
    batch.add('run.updated', run({id: 'b', status: 'queued'}));
    const {updates, overflowed} = batch.take();
    expect(overflowed).toBe(false);
    expect(updates.map(({event, data}) => `${event}:${(data as {id?: string; name?: string}).id ?? (data as {name: string}).name}`)).toEqual(['service.updated:api', 'run.updated:a', 'run.updated:b']);
    expect((updates[1]!.data as {status: string}).status).toBe('running');
    expect(batch.isEmpty).toBe(true);
  });

  it('treats a removal and an update of the same project as one item, the later winning', () => {
    const batch = new EventBatch();
    batch.add('project.updated', project({namespace: 'reports'}));
    batch.add('project.removed', {namespace: 'reports', root: '/srv'});
    expect(batch.take().updates).toEqual([{event: 'project.removed', data: {namespace: 'reports', root: '/srv'}}]);
  });

  it('keeps log lines in order, capped to what the log pane holds', () => {
    const batch = new EventBatch();
    for (let index = 0; index < 3 * MAX_LOG_LINES; index++) batch.add('service.log', logLine(String(index), index + 1));
    const {lines} = batch.take();
    expect(lines).toHaveLength(MAX_LOG_LINES);
    expect((lines.at(-1)!.data as {line: string}).line).toBe(String(3 * MAX_LOG_LINES - 1));
    expect((lines[0]!.data as {line: string}).line).toBe(String(2 * MAX_LOG_LINES));
  });

  it('ignores events it does not use and asks for a reload when too many items change at once', () => {
    const batch = new EventBatch();
    expect(batch.add('audit.event', {id: 'x', time: '2025-06-01T12:00:00.000Z', actor: 'ops', kind: 'service.start', target: 'reports/api', details: {}})).toBe(false);
    expect(batch.isEmpty).toBe(true);
    for (let index = 0; index <= MAX_BATCH_ITEMS; index++) batch.add('run.updated', run({id: `run_${index}`}));
    const taken = batch.take();
    expect(taken.overflowed).toBe(true);
    expect(taken.updates).toEqual([]);
  });
});
