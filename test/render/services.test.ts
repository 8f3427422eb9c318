import {describe, expect, it} from 'vitest';
import {renderServiceTable, renderTaggedServiceLogLine, serviceColour} from '../../src/render/services.js';
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

  it('adds nothing when no service has a reason', () => {
    expect(renderServiceTable([{...service(), namespace: 'demo'}], {width: 120, paint: painter(false)}).split('\n')).toHaveLength(2);
  });
});

describe('renderTaggedServiceLogLine', () => {
  const line = {namespace: 'shop', name: 'api', seq: 1, time: '2026-01-01T12:00:01.234Z', stream: 'stdout' as const, line: 'hello'};

  it('prefixes the line with its label, padded, and no colour when painting is off', () => {
    expect(renderTaggedServiceLogLine(line, {label: 'api', width: 6}, painter(false))).toBe('api    | 12:00:01.234 hello');
  });

  it("paints the label in its service's colour, the same every time, and services apart", () => {
    const colour = serviceColour(line);
    expect(renderTaggedServiceLogLine(line, {label: 'api', width: 3}, painter(true))).toBe(painter(true)(colour, 'api') + ' \u001B[2m|\u001B[22m \u001B[2m12:00:01.234\u001B[22m hello');
    expect(serviceColour({namespace: 'shop', name: 'api'})).toBe(colour);
    const colours = new Set(['api', 'worker', 'web', 'db', 'cache', 'mail'].map((name) => serviceColour({namespace: 'shop', name})));
    expect(colours.size).toBeGreaterThan(1);
  });
});
