import {describe, expect, it} from 'vitest';
import {renderServiceTable, renderTaggedServiceLogLine, serviceColours} from '../../src/render/services.js';
import {painter} from '../../src/render/style.js';
import {service} from './fixtures.js';

describe('renderServiceTable', () => {
  it('lists why services failed under the table, one line each', () => {
    const services = [
      {...service(), namespace: 'demo'},
      {...service({name: 'typo', state: 'failed', health: null, pid: null, uptimeMs: null, cpuPercent: null, rssBytes: null, command: ['nodee', 'server.js'], reason: 'command not found: nodee'}), namespace: 'demo'},
    ];
    const lines = renderServiceTable(services, {width: 120, paint: painter(false)}).split('\n');
    expect(lines[0]).toMatch(/^SERVICE\s+STATE/);
    expect(lines[2]).toMatch(/^demo\/typo\s+✗ failed\s+-\s+-\s+-\s+1\s+-\s+-\s+nodee server\.js$/);
    expect(lines.slice(3)).toEqual(['', 'demo/typo failed: command not found: nodee']);
  });

  it('shows where a remote service\'s agent is instead of a command', () => {
    const now = Date.now();
    const remote = (status: Partial<NonNullable<ReturnType<typeof service>['remote']>>) => ({
      ...service({name: 'edge', pid: null, command: [], remote: {connected: true, address: '203.0.113.9', host: null, pid: 4, version: '1.4.0', connectedAt: new Date(now).toISOString(), lastHeartbeatAt: new Date(now - 2_000).toISOString(), ...status}}),
      namespace: 'shop',
    });
    const table = renderServiceTable([remote({}), remote({connected: false, lastHeartbeatAt: null}), remote({address: null, version: null, connected: false})], {width: 200, paint: painter(false)}).split('\n');
    expect(table[1]).toMatch(/^shop\/edge\s+● healthy\s+healthy\s+-\s+.*remote · 203\.0\.113\.9 · v1\.4\.0 · beat 2s ago$/);
    expect(table[2]).toMatch(/remote · disconnected · last from 203\.0\.113\.9 · v1\.4\.0$/);
    expect(table[3]).toMatch(/remote · no agent has connected yet$/);
    expect(renderServiceTable([remote({host: 'edge-01'})], {width: 200, paint: painter(false)})).toMatch(/remote · edge-01 \(203\.0\.113\.9\) · v1\.4\.0 · beat 2s ago/);
  });

  it('adds nothing when no service has a reason', () => {
    expect(renderServiceTable([{...service(), namespace: 'demo'}], {width: 120, paint: painter(false)}).split('\n')).toHaveLength(2);
  });
});

describe('renderTaggedServiceLogLine', () => {
  const line = {namespace: 'shop', name: 'api', seq: 1, time: '2026-01-01T12:00:01.234Z', stream: 'stdout' as const, line: 'hello'};

  it('prefixes the line with its label, padded, and no colour when painting is off', () => {
    expect(renderTaggedServiceLogLine(line, {label: 'api', width: 6, colour: 'cyan'}, painter(false))).toBe('api    | 12:00:01.234 hello');
  });

  it('names an instance once, in its label', () => {
    expect(renderTaggedServiceLogLine({...line, name: 'api#1'}, {label: 'api#1', width: 5, colour: 'cyan'}, painter(false))).toBe('api#1 | 12:00:01.234 hello');
  });

  it('paints the label in the colour given', () => {
    expect(renderTaggedServiceLogLine(line, {label: 'api', width: 3, colour: 'magenta'}, painter(true))).toBe('\u001B[35mapi\u001B[39m \u001B[2m|\u001B[22m \u001B[2m12:00:01.234\u001B[22m hello');
  });
});

describe('serviceColours', () => {
  const named = (...names: string[]) => names.map((name) => ({namespace: 'shop', name}));

  it('gives up to eight services eight colours, by the order of their names, whatever order they come in', () => {
    const services = named('h', 'g', 'f', 'e', 'd', 'c', 'b', 'a');
    const colour = serviceColours(services);
    expect(new Set(services.map(colour)).size).toBe(8);
    const again = serviceColours([...services].reverse());
    expect(services.map(again)).toEqual(services.map(colour));
  });

  it('gives a service that came later the same colour every time', () => {
    const late = {namespace: 'blog', name: 'web'};
    expect(serviceColours(named('api'))(late)).toBe(serviceColours(named('worker', 'db'))(late));
  });
});
